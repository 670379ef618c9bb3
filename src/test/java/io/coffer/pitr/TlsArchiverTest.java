package io.coffer.pitr;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.net.ssl.SSLSocketFactory;

import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.ProvisionedDatabases;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A database whose node serves TLS only (forced TLS: {@code port 0}, a {@code tls-port} with a certificate of
 * Coffer's authority) is archived: the archiver reads its replication stream through its TLS handler, and a
 * restore to a time holds the writes made before it and none made after.
 */
class TlsArchiverTest extends ArchivingTest {

	@Test
	void aTlsOnlyNodeIsArchivedAndRestoredToATime() throws Exception {
		Provisioned provisioned = provision("pitr-tls", "redis-starter-256");
		adopt(provisioned);
		String db = this.db;
		ApiClient owner = this.owner;
		// its plan may archive it from the start: the archiver's connection is made once the node serves TLS only
		setPitr(false);
		TlsAccess access = forceTls();
		URI url = access.url();
		SSLSocketFactory authority = access.authority();
		assertThatThrownBy(() -> ProvisionedDatabases.connect(url.getPort(), provisioned.password()).close())
			.as("the node refuses plain text")
			.isInstanceOf(RuntimeException.class);
		setPitr(true);
		awaitBase();
		Instant at;
		try (Jedis jedis = tls(url, db, provisioned.password(), authority)) {
			for (int n = 0; n < 100; n++) {
				jedis.set("k:" + n, "then");
			}
			Instant written = Instant.now();
			await().atMost(Duration.ofSeconds(60)).until(() -> recoverableTo(owner, db).isAfter(written));
			at = recoverableTo(owner, db);
			for (int n = 0; n < 100; n++) {
				jedis.set("k:" + n, "later");
			}
			jedis.set("written-later", "1");
		}
		assertThat(archived().holdsSet("k:99", "then"))
			.as("the stream read over TLS is archived").isTrue();

		JsonNode restore = restore(owner, db, "{\"at\": \"" + at + "\", \"target\": \"in_place\"}");
		assertThat(restore.path("checks").path("load").path("replayed").asLong()).as(restore.toString())
			.isGreaterThanOrEqualTo(100);
		try (Jedis jedis = tls(url, db, provisioned.password(), authority)) {
			assertThat(jedis.get("k:0")).isEqualTo("then");
			assertThat(jedis.get("k:99")).isEqualTo("then");
			assertThat(jedis.exists("written-later")).isFalse();
		}
		assertThat(owner.get("/api/v1/databases/" + db + "/pitr").json().path("gaps").isEmpty()).isTrue();
	}

	@Test
	void anArchiverReadingInPlainTextConnectsAgainWithTlsOnceItIsForced() throws Exception {
		Provisioned provisioned = provision("pitr-to-tls", "redis-starter-256");
		adopt(provisioned);
		setPitr(true);
		awaitBase();
		Long plainReader;
		try (Jedis jedis = ProvisionedDatabases.connect(provisioned.url().getPort(), provisioned.password())) {
			await().atMost(Duration.ofSeconds(30)).until(() -> replicaClient(jedis) != null);
			plainReader = replicaClient(jedis);
			jedis.set("before-tls", "1");
		}

		TlsAccess access = forceTls();
		try (Jedis jedis = tls(access.url(), this.db, provisioned.password(), access.authority())) {
			// the node's port serves TLS only now: the archiver's connection made after the switch speaks TLS
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
				Long reader = replicaClient(jedis);
				return reader != null && !reader.equals(plainReader);
			});
			jedis.set("after-tls", "1");
			await().atMost(Duration.ofSeconds(60)).until(() -> archived().holdsSet("after-tls", "1"));
		}
		assertThat(archived().holdsSet("before-tls", "1")).isTrue();
		assertThat(this.owner.get("/api/v1/databases/" + this.db + "/pitr").json().path("gaps").isEmpty())
			.as("it went on from where it was").isTrue();
	}

	/** How the database is reached once TLS is forced: its REDIS_URL, and a socket factory trusting its authority. */
	private record TlsAccess(URI url, SSLSocketFactory authority) {
	}

	private TlsAccess forceTls() throws Exception {
		changeConfig(this.owner, this.db, "{\"force_tls\": true}");
		URI url = URI.create(this.owner.get("/api/v1/databases/" + this.db).json().path("env").path("REDIS_URL")
			.asString());
		assertThat(url.getScheme()).isEqualTo("rediss");
		SSLSocketFactory authority = ProvisionedDatabases
			.trusting(this.owner.get("/api/v1/databases/" + this.db + "/ca-certificate").body());
		return new TlsAccess(url, authority);
	}

	/** The id of the node's replica connection (Coffer's archiver: a starter database has no replica). */
	private static Long replicaClient(Jedis jedis) {
		List<Long> ids = RedisInfo.clientIds(jedis.clientList(ClientType.REPLICA));
		return ids.isEmpty() ? null : ids.get(0);
	}

	private static Jedis tls(URI url, String user, String password, SSLSocketFactory authority) {
		return ProvisionedDatabases.connect(url.getHost(), url.getPort(), DefaultJedisClientConfig.builder()
			.ssl(true)
			.sslSocketFactory(authority)
			.user(user)
			.password(password));
	}

	private static Instant recoverableTo(ApiClient client, String db) {
		String to = client.get("/api/v1/databases/" + db + "/pitr").json().path("recoverable_to").asString();
		return to.isEmpty() ? Instant.EPOCH : Instant.parse(to);
	}

}
