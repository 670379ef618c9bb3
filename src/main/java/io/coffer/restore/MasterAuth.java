package io.coffer.restore;

import java.io.IOException;
import java.util.Map;

import io.coffer.crypto.Keyring;
import redis.clients.jedis.Jedis;

/**
 * A node's {@code masteruser} and {@code masterauth}, as {@code CONFIG GET} answers them ({@code ""}
 * for none, which {@code CONFIG SET} takes back as none).
 */
record MasterAuth(String user, String password) {

	static MasterAuth of(Jedis jedis) {
		// one at a time: CONFIG GET of several parameters needs Redis 7
		return new MasterAuth(jedis.configGet("masteruser").getOrDefault("masteruser", ""),
				jedis.configGet("masterauth").getOrDefault("masterauth", ""));
	}

	/** What the journal keeps: the password sealed, as the catalogue keeps every Redis password. */
	Map<String, String> journaled(Keyring keyring) {
		return Map.of(DumpLoader.JOURNAL_MASTER_USER_VALUE, this.user, DumpLoader.JOURNAL_MASTER_AUTH_SEALED,
				keyring.newest().sealText(this.password));
	}

	/** From a journal, or null when it has none (the node's were never replaced). */
	static MasterAuth journaled(Object journaled, Keyring keyring) {
		if (!(journaled instanceof Map<?, ?> values) || values.get(DumpLoader.JOURNAL_MASTER_AUTH_SEALED) == null) {
			return null;
		}
		try {
			return new MasterAuth(String.valueOf(values.get(DumpLoader.JOURNAL_MASTER_USER_VALUE)),
					keyring.openText(String.valueOf(values.get(DumpLoader.JOURNAL_MASTER_AUTH_SEALED))));
		}
		catch (IOException ex) {
			throw new IllegalStateException("the journal's masterauth cannot be opened with the keyring: "
					+ ex.getMessage(), ex);
		}
	}

	/**
	 * Gives the node the listener's user and secret. The user goes first and comes back last (see
	 * {@link #putBack}): while the node has it, its {@code masterauth} may be the secret, and is to be
	 * put back. One at a time: setting several parameters in one command needs Redis 7.
	 */
	Void replace(Jedis jedis) {
		jedis.configSet("masteruser", this.user);
		jedis.configSet("masterauth", this.password);
		return null;
	}

	/** Sets these back, unless the node no longer has the listener's user (someone set their own since). */
	Void putBack(Jedis jedis) {
		if (OneShotPrimary.MASTER_USER.equals(jedis.configGet("masteruser").get("masteruser"))) {
			jedis.configSet("masterauth", this.password);
			jedis.configSet("masteruser", this.user);
		}
		return null;
	}

	@Override
	public String toString() {
		// never the password
		return "MasterAuth[user=" + this.user + "]";
	}

}
