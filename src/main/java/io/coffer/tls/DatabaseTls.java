package io.coffer.tls;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Collection;

import io.coffer.crypto.Keyring;
import io.coffer.node.NodeTls;
import io.coffer.redis.TlsRequirement;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Each database's TLS: its certificate (issued once, the key sealed by the keyring) and whether TLS is
 * forced, as the last finished change left it. Everything that connects to a database's nodes asks
 * {@link #forced} first.
 */
@Component
public class DatabaseTls implements TlsRequirement {

	private final JdbcClient jdbc;

	private final Keyring keyring;

	private final CertificateAuthority authority;

	private final Clock clock;

	DatabaseTls(JdbcClient jdbc, Keyring keyring, CertificateAuthority authority, Clock clock) {
		this.jdbc = jdbc;
		this.keyring = keyring;
		this.authority = authority;
		this.clock = clock;
	}

	@Override
	public boolean forced(String databaseId) {
		return this.jdbc.sql("select force_tls from database_tls where database_id = ?")
			.param(databaseId)
			.query(Boolean.class)
			.optional()
			.orElse(false);
	}

	/**
	 * The files a node of the database serves TLS with. The certificate is issued the first time, for
	 * {@code hosts} and named after the database; two instances asking at once keep the first one stored.
	 */
	public NodeTls material(String databaseId, Collection<String> hosts) {
		if (stored(databaseId) == null) {
			CertificateAuthority.Issued issued = this.authority.issue(databaseId, hosts);
			this.jdbc.sql("""
					insert into database_tls (database_id, certificate, sealed_key) values (?, ?, ?)
					on conflict (database_id) do nothing
					""")
				.params(databaseId, issued.certificatePem(), this.keyring.newest().sealText(issued.privateKeyPem()))
				.update();
		}
		String[] stored = stored(databaseId);
		try {
			return new NodeTls(this.authority.certificatePem(), stored[0], this.keyring.openText(stored[1]));
		}
		catch (IOException ex) {
			throw new IllegalStateException("the TLS key of " + databaseId + " cannot be decrypted with this keyring: "
					+ ex.getMessage(), ex);
		}
	}

	/**
	 * Records that the database's nodes now do (or no longer do) require TLS.
	 * @return whether that changed what was recorded (and so the scheme of REDIS_URL)
	 */
	public boolean recordForced(String databaseId, boolean forced) {
		// a database never given a certificate has no row: it was never forced, and turning it off changes nothing
		return this.jdbc.sql("""
				update database_tls set force_tls = ?, changed_at = ?
				where database_id = ? and force_tls <> ?""")
			.params(forced, Timestamp.from(this.clock.instant()), databaseId, forced)
			.update() > 0;
	}

	private String[] stored(String databaseId) {
		return this.jdbc.sql("select certificate, sealed_key from database_tls where database_id = ?")
			.param(databaseId)
			.query((rs, i) -> new String[] { rs.getString("certificate"), rs.getString("sealed_key") })
			.optional()
			.orElse(null);
	}

}
