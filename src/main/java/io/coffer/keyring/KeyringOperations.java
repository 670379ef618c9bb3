package io.coffer.keyring;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.coffer.crypto.Keyring;
import io.coffer.crypto.UnknownKeyException;
import io.coffer.system.CofferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RestoreRepository;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the operator does with the keyring: list its keys with what still uses each, add a new key
 * (rotate), and remove an old one (retire) once nothing needs it any more. The keyring file is shared
 * by every instance, which reads it again when it changes (see {@link Keyring}).
 */
@Component
public class KeyringOperations {

	/** The job that moves every stored object and sealed secret onto the current key. */
	public static final String REWRAP_JOB = "rewrapKeysJob";

	private static final Logger log = LoggerFactory.getLogger(KeyringOperations.class);

	private final Keyring keyring;

	private final JdbcClient jdbc;

	private final BackupRepository backups;

	private final RestoreRepository restores;

	private final KeyringLock lock;

	KeyringOperations(Keyring keyring, JdbcClient jdbc, BackupRepository backups, RestoreRepository restores,
			KeyringLock lock) {
		this.backups = backups;
		this.restores = restores;
		this.keyring = keyring;
		this.jdbc = jdbc;
		this.lock = lock;
	}

	/** A key of the keyring: whether new objects use it, and how many stored things it still opens. */
	public record KeyUse(String id, boolean current, long backups, long secrets) {
	}

	public List<KeyUse> keys() {
		List<String> ids = this.keyring.keyIds();
		String newest = ids.get(ids.size() - 1);
		List<KeyUse> keys = new ArrayList<>();
		for (String id : ids) {
			keys.add(new KeyUse(id, id.equals(newest), backupsUsing(id), secretsUsing(id)));
		}
		return keys;
	}

	/** The key new objects use. */
	public String currentKey() {
		return this.keyring.newest().id();
	}

	/** Adds a fresh key to the keyring file; it is the one new objects use, on every instance. */
	public String rotate() {
		String added = locked(() -> this.keyring.addNewKey().id());
		log.info("Keyring rotated: new objects use key {}; old keys stay until retired", added);
		return added;
	}

	/**
	 * Removes a key from the keyring file, refused with a sentence while anything still needs it: a backup
	 * whose data key it wraps, a secret of the catalogue it seals, a backup or restore in flight (it may
	 * have started with it), a webhook delivery waiting with a body it seals.
	 */
	public void retire(String id) {
		locked(() -> {
			List<String> ids = this.keyring.keyIds();
			if (!ids.contains(id)) {
				throw new KeyNotFound("key " + id + " (keys of the keyring: " + String.join(", ", ids) + ")");
			}
			if (ids.get(ids.size() - 1).equals(id)) {
				throw new KeyInUse("key " + id
						+ " is the current key, the one new backups use: rotate first (POST /api/v1/keyring/rotate), "
						+ "let rewrapKeysJob finish, then retire it");
			}
			long backups = backupsUsing(id);
			long secrets = secretsUsing(id);
			if (backups > 0 || secrets > 0) {
				throw new KeyInUse("key " + id + " still wraps the data key of " + backups
						+ " backups and seals " + secrets + " secrets of the catalogue: run rewrapKeysJob "
						+ "(POST /api/v1/jobs/rewrapKeysJob) and retire the key once it has completed");
			}
			long inFlight = this.backups.countInFlight() + this.restores.countInFlight();
			if (inFlight > 0) {
				throw new KeyInUse(inFlight + " backups or restores are running and may have "
						+ "started with key " + id + ": retire it once they have finished");
			}
			long webhooks = this.jdbc.sql("""
					select count(*) from webhook_deliveries where status = 'pending' and body_key_id = ?
					""").param(id).query(Long.class).single();
			if (webhooks > 0) {
				throw new KeyInUse(webhooks + " webhook deliveries waiting to be sent are "
						+ "sealed with key " + id + ": retire it once they have been sent or given up");
			}
			try {
				this.keyring.removeKey(id);
			}
			catch (UnknownKeyException ex) {
				throw new KeyNotFound("key " + id);
			}
			return null;
		});
		log.info("Key {} retired from the keyring", id);
	}

	/** Backups still readable through the API whose data key this key wraps (per the catalogue). */
	long backupsUsing(String id) {
		return this.backups.countDoneWrappedBy(id);
	}

	/** Redis passwords and TLS private keys of the catalogue sealed with this key. */
	long secretsUsing(String id) {
		String prefix = id + ":";
		return this.jdbc.sql("""
				select (select count(*) from credentials where starts_with(sealed, ?))
				     + (select count(*) from certificate_authority where starts_with(sealed_key, ?))
				     + (select count(*) from database_tls where starts_with(sealed_key, ?))
				""").params(prefix, prefix, prefix).query(Long.class).single();
	}

	private <T> T locked(KeyringLock.Work<T> work) {
		try {
			return this.lock.holding(KeyringLock.KEYRING_FILE, work);
		}
		catch (CofferException | IllegalArgumentException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw new KeyringUnwritable("the keyring file could not be changed: "
					+ ex.getMessage() + " (every instance must share it, writable by the service)", ex);
		}
		catch (Exception ex) {
			throw new IllegalStateException("the keyring could not be changed: " + ex.getMessage(), ex);
		}
	}

}
