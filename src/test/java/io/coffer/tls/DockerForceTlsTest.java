package io.coffer.tls;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSocketFactory;

import io.coffer.provision.ProvisioningTest;
import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.DockerServiceTest;
import io.coffer.testsupport.TestDockerEngine;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.coffer.tls.ForceTlsTest.assertRefusedWithoutTlsAndCa;
import static io.coffer.tls.ForceTlsTest.plain;
import static io.coffer.tls.ForceTlsTest.tls;
import static io.coffer.testsupport.ProvisionedDatabases.trusting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Forced TLS on databases of the docker driver, every node in a container reading its TLS files from its
 * bound folder: REDIS_URL becomes {@code rediss://} and is reached with the CA Coffer hands out, every node
 * (sentinels and HAProxy included) refuses plain text, backups and restores go on over TLS, nodes a plan
 * change adds or an engine upgrade replaces come up with TLS, and turning it off gives plain text back.
 * Skipped, saying why, only when no engine answers.
 */
class DockerForceTlsTest extends DockerServiceTest {

	private static final String INSTANCE = "tls-test-" + Long.toString(System.nanoTime(), 36);

	@Autowired
	TlsSwitch tlsSwitch;

	@Autowired
	JdbcClient jdbc;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestDockerEngine.registerDriver(registry, INSTANCE);
	}

	@Test
	void aStarterDatabaseInAContainerServesTlsOnlyIsBackedUpRestoredGrowsToBusinessAndTurnsItOff() throws Exception {
		Provisioned provisioned = provision("docker-tls-starter", "redis-starter-256");
		String id = provisioned.id();
		ApiClient owner = withToken(provisioned.token());
		URI plainUrl = provisioned.url();
		String password = provisioned.password();
		try (Jedis jedis = plain(plainUrl, id, password)) {
			for (int i = 0; i < 100; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
		}
		SSLSocketFactory trustingCa = trusting(owner.get("/api/v1/databases/" + id + "/ca-certificate").body());

		changeConfig(owner, id, "{\"force_tls\": true}");

		URI tlsUrl = redisUrl(id);
		assertThat(tlsUrl.getScheme()).isEqualTo("rediss");
		assertThat(tlsUrl.getPort()).isEqualTo(plainUrl.getPort());
		assertThat(this.tlsSwitch.check(id, true)).isEmpty();
		assertRefusedWithoutTlsAndCa(tlsUrl, id, password);
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.dbSize()).isEqualTo(100);
			// the node reads its files where its container sees its folder
			assertThat(jedis.configGet("tls-cert-file")).containsEntry("tls-cert-file", "/node/tls/node.crt");
		}
		// the database's key is in the node's folder, for its owner only
		Path tlsFolder = Path.of(folderOf(id, "redis")).resolve("tls");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tlsFolder))).isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tlsFolder.resolve("node.key"))))
			.isEqualTo("rw-------");

		// a backup streams from the container over TLS; a restore brings the node back to it over TLS
		JsonNode backup = backUp(id);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			jedis.set("after-backup", "goes away");
		}
		JsonNode restored = restore(owner, id, "{\"backup\": \"latest\", \"target\": \"in_place\"}");
		assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.exists("after-backup")).isFalse();
			assertThat(jedis.dbSize()).isEqualTo(100);
		}

		// the replica, sentinels and HAProxy a plan change adds come up in containers serving TLS
		completeJob("planChangeJob", owner.post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"redis-business-256\"}"),
				owner);
		URI businessUrl = redisUrl(id);
		assertThat(businessUrl.getScheme()).isEqualTo("rediss");
		assertThat(this.tlsSwitch.check(id, true)).isEmpty();
		awaitReplicaInSync(id, password, trustingCa);
		try (Jedis jedis = tls(businessUrl, id, password, trustingCa)) {
			assertThat(jedis.get("key-99")).isEqualTo("value-99");
		}

		// turned off: redis:// again on every node, plain text accepted, TLS refused
		changeConfig(owner, id, "{\"force_tls\": false}");
		URI offUrl = redisUrl(id);
		assertThat(offUrl.getScheme()).isEqualTo("redis");
		assertThat(this.tlsSwitch.check(id, false)).isEmpty();
		try (Jedis jedis = plain(offUrl, id, password)) {
			assertThat(jedis.dbSize()).isEqualTo(100);
		}
		assertThat(operator().delete("/api/v1/databases/" + id + "?final_backup=false").status()).isLessThan(300);
	}

	@Test
	void aBusinessDatabaseInContainersServesTlsOnEveryNodeThroughBackupRestoreAndUpgradeAndTurnsItOff()
			throws Exception {
		Provisioned provisioned = provision("docker-tls-business", "redis-business-256");
		String id = provisioned.id();
		String password = provisioned.password();
		try (Jedis jedis = plain(provisioned.url(), id, password)) {
			jedis.set("before", "tls");
		}
		SSLSocketFactory trustingCa = trusting(operator().get("/api/v1/databases/" + id + "/ca-certificate").body());

		changeConfig(operator(), id, "{\"force_tls\": true}");

		URI tlsUrl = redisUrl(id);
		assertThat(tlsUrl.getScheme()).isEqualTo("rediss");
		// every node, the three sentinels and both HAProxy included, answers with TLS only
		assertThat(this.tlsSwitch.check(id, true)).isEmpty();
		// HAProxy's checks verify the nodes with the CA, named where its container sees it
		Path proxyConfig = Path.of(folderOf(id, "haproxy")).resolve("haproxy.cfg");
		assertThat(Files.readString(proxyConfig)).contains("ca-file /node/tls/ca.crt");
		assertThat(Path.of(folderOf(id, "haproxy"), "tls", "node.key")).doesNotExist();
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
				return "tls".equals(jedis.get("before"));
			}
		});
		awaitReplicaInSync(id, password, trustingCa);

		// the backup asks the sentinels and streams from the replica, both over TLS
		JsonNode backup = backUp(id);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		assertThat(backup.path("node").path("role").asString()).isEqualTo("replica");
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			jedis.set("after-backup", "goes away");
		}
		JsonNode restored = restore(operator(), id, "{\"backup\": \"latest\", \"target\": \"in_place\"}");
		assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.exists("after-backup")).isFalse();
			assertThat(jedis.get("before")).isEqualTo("tls");
		}

		// a rolling upgrade replaces each data node's container, which starts from its file: TLS still forced
		completeJob("engineUpgradeJob", operator().post("/api/v1/databases/" + id + "/upgrade",
				"{\"version\": \"" + TestEngines.NEXT + "\"}"), operator());
		assertThat(operator().get("/api/v1/databases/" + id).json().path("version").asString())
			.isEqualTo(TestEngines.NEXT);
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
			.until(() -> this.tlsSwitch.check(id, true), List::isEmpty);
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.get("before")).isEqualTo("tls");
		}

		// turned off: every node speaks plain text again, and refuses TLS
		changeConfig(operator(), id, "{\"force_tls\": false}");
		URI offUrl = redisUrl(id);
		assertThat(offUrl.getScheme()).isEqualTo("redis");
		assertThat(this.tlsSwitch.check(id, false)).isEmpty();
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = plain(offUrl, id, password)) {
				return "tls".equals(jedis.get("before"));
			}
		});
		assertThat(operator().delete("/api/v1/databases/" + id + "?final_backup=false").status()).isLessThan(300);
	}

	private URI redisUrl(String id) {
		return URI.create(operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString());
	}

	/** The folder of the database's first node of that kind. */
	private String folderOf(String id, String kind) {
		return this.jdbc
			.sql("select driver_data->>'dir' from nodes where database_id = ? and driver_data->>'kind' = ? order by id limit 1")
			.params(id, kind)
			.query(String.class)
			.single();
	}

	/** The replica follows its primary over TLS, with every key. */
	private void awaitReplicaInSync(String id, String password, SSLSocketFactory trustingCa) {
		int replicaPort = ProvisioningTest.portsByRole(operator().get("/api/v1/databases/" + id).json()).get("replica");
		URI replica = URI.create("rediss://127.0.0.1:" + replicaPort);
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(replica, null, password, trustingCa)) {
				Map<String, String> replication = RedisInfo.fields(jedis.info("replication"));
				return "up".equals(replication.get("master_link_status"));
			}
		});
	}

}
