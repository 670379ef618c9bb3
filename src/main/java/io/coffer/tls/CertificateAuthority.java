package io.coffer.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import io.coffer.crypto.Keyring;
import io.coffer.redis.TlsTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Coffer's own certificate authority: it signs the certificate each database serves TLS with, and it is
 * what clients (Coffer's own connections included) trust. One per catalogue, made the first time it is
 * needed, its private key sealed by the keyring; several instances sharing the catalogue race to make
 * it, the first insert wins and everyone reads that one.
 */
@Component
public class CertificateAuthority implements TlsTrust {

	private static final Logger log = LoggerFactory.getLogger(CertificateAuthority.class);

	static final String COMMON_NAME = "Coffer CA";

	private final JdbcClient jdbc;

	private final Keyring keyring;

	private final Clock clock;

	private volatile Loaded loaded;

	CertificateAuthority(JdbcClient jdbc, Keyring keyring, Clock clock) {
		this.jdbc = jdbc;
		this.keyring = keyring;
		this.clock = clock;
	}

	/** The authority's certificate, PEM: what a client needs to verify a database's nodes. */
	public String certificatePem() {
		return loaded().certificatePem;
	}

	/** A new key and a certificate for it naming {@code hosts}, signed by the authority. */
	public Issued issue(String commonName, Collection<String> hosts) {
		Loaded authority = loaded();
		KeyPair keys = Certificates.newKeyPair();
		X509Certificate certificate = Certificates.issue(authority.certificate, authority.key, keys, commonName, hosts,
				this.clock.instant());
		return new Issued(Pem.certificate(certificate), Pem.privateKey(keys.getPrivate()));
	}

	@Override
	public SSLContext clientContext() {
		return loaded().clientContext;
	}

	/**
	 * Serves TLS with a fresh certificate for {@code host}, e.g. Coffer's replication listener, which
	 * nodes that replicate over TLS verify against the authority like any primary.
	 */
	public SSLServerSocketFactory serverSocketFactory(String host) {
		Issued issued = issue("coffer", List.of(host));
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			char[] password = new char[0];
			store.setKeyEntry("coffer", Pem.readPrivateKey(issued.privateKeyPem()), password, new Certificate[] {
					Pem.readCertificate(issued.certificatePem()), loaded().certificate });
			KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keys.init(store, password);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keys.getKeyManagers(), null, null);
			return context.getServerSocketFactory();
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("cannot serve TLS for " + host + ": " + ex.getMessage(), ex);
		}
	}

	private Loaded loaded() {
		Loaded current = this.loaded;
		if (current == null) {
			synchronized (this) {
				current = this.loaded;
				if (current == null) {
					current = load();
					this.loaded = current;
				}
			}
		}
		return current;
	}

	private Loaded load() {
		if (read() == null) {
			KeyPair keys = Certificates.newKeyPair();
			X509Certificate certificate = Certificates.authority(keys, COMMON_NAME, this.clock.instant());
			int inserted = this.jdbc.sql("""
					insert into certificate_authority (id, certificate, sealed_key, created_at) values (1, ?, ?, ?)
					on conflict (id) do nothing
					""")
				.params(Pem.certificate(certificate), this.keyring.newest().sealText(Pem.privateKey(keys.getPrivate())),
						Timestamp.from(this.clock.instant()))
				.update();
			if (inserted == 1) {
				log.info("Made Coffer's certificate authority ({})", certificate.getSubjectX500Principal());
			}
		}
		Stored stored = read();
		try {
			X509Certificate certificate = Pem.readCertificate(stored.certificate());
			PrivateKey key = Pem.readPrivateKey(this.keyring.openText(stored.sealedKey()));
			return new Loaded(stored.certificate(), certificate, key, clientContext(certificate));
		}
		catch (IOException ex) {
			throw new IllegalStateException("the key of Coffer's certificate authority cannot be decrypted with this "
					+ "keyring: " + ex.getMessage(), ex);
		}
	}

	private Stored read() {
		return this.jdbc.sql("select certificate, sealed_key from certificate_authority where id = 1")
			.query((rs, i) -> new Stored(rs.getString("certificate"), rs.getString("sealed_key")))
			.optional()
			.orElse(null);
	}

	private static SSLContext clientContext(X509Certificate authority) {
		try {
			KeyStore trusted = KeyStore.getInstance("PKCS12");
			trusted.load(null, null);
			trusted.setCertificateEntry("coffer-ca", authority);
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("cannot trust Coffer's certificate authority: " + ex.getMessage(), ex);
		}
	}

	/** A certificate and its private key, both PEM. */
	public record Issued(String certificatePem, String privateKeyPem) {

		@Override
		public String toString() {
			// never print the key
			return "Issued[certificate]";
		}

	}

	private record Stored(String certificate, String sealedKey) {
	}

	private record Loaded(String certificatePem, X509Certificate certificate, PrivateKey key, SSLContext clientContext) {
	}

}
