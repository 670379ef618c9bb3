package io.coffer.testsupport;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/** What tests of provisioned databases share: waiting for one to run, and connecting to its nodes. */
public final class ProvisionedDatabases {

	private ProvisionedDatabases() {
	}

	/** The database once {@code running}; a provisioning that failed fails the test with its reason. */
	public static JsonNode awaitRunning(ApiClient operator, String id) {
		return await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> operator.get("/api/v1/databases/" + id).json(), (json) -> {
				if ("error".equals(json.path("status").asString())) {
					throw new AssertionError("provisioning failed: " + json.path("status_reason").asString());
				}
				return "running".equals(json.path("status").asString());
			});
	}

	/** A connection to a local node (or HAProxy) with the password alone, checked with a PING. */
	public static Jedis connect(int port, String password) {
		return connect(RedisServerProcess.HOST, port, null, password);
	}

	/** A connection as {@code user} ({@code null}: the default user), checked with a PING. */
	public static Jedis connect(String host, int port, String user, String password) {
		return connect(host, port, DefaultJedisClientConfig.builder().user(user).password(password));
	}

	/**
	 * A connection with this configuration (TLS, a user), checked with a PING. The read timeout is short:
	 * a TLS client of a plain-text node waits for it before it fails.
	 */
	public static Jedis connect(String host, int port, DefaultJedisClientConfig.Builder config) {
		Jedis jedis = new Jedis(host, port, config.connectionTimeoutMillis(2000).socketTimeoutMillis(3000).build());
		try {
			jedis.ping();
			return jedis;
		}
		catch (RuntimeException ex) {
			jedis.close();
			throw ex;
		}
	}

	/** Sockets that trust the certificate authority {@code pem} (a database's CA certificate) and no other. */
	public static SSLSocketFactory trusting(String pem) throws Exception {
		KeyStore trusted = KeyStore.getInstance("PKCS12");
		trusted.load(null, null);
		trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
			.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		return context.getSocketFactory();
	}

}
