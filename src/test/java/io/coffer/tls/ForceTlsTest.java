package io.coffer.tls;

import io.coffer.provision.ProvisioningTest;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLSocketFactory;

import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.ProvisionedDatabases;
import io.coffer.testsupport.TestEngines;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisConnectionException;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Forced TLS on provisioned databases, end to end: the nodes refuse plain text, a client verifies them
 * with the CA certificate Coffer hands out (and fails without it), and backups, restores, configuration
 * changes, node restarts and a failover behind HAProxy all keep working; turning it off gives
 * {@code redis://} back.
 */
class ForceTlsTest extends IntegrationTest {

	@Autowired
	JdbcClient jdbc;

	@Test
	void aStarterDatabaseWithTlsForcedIsReachedWithItsCaOnlyAndKeepsBeingBackedUpRestoredAndChanged()
			throws Exception {
		Provisioned provisioned = provision("tls-starter", "redis-starter-256");
		String id = provisioned.id();
		ApiClient owner = withToken(provisioned.token());
		URI plainUrl = provisioned.url();
		String password = provisioned.password();
		assertThat(provisioned.database().path("config").path("force_tls").asBoolean()).isFalse();
		try (Jedis jedis = plain(plainUrl, id, password)) {
			for (int i = 0; i < 100; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
		}

		HttpResponse<byte[]> download = owner.getBytes("/api/v1/databases/" + id + "/ca-certificate");
		assertThat(download.statusCode()).isEqualTo(200);
		assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(
				(disposition) -> assertThat(disposition).startsWith("attachment").contains("coffer-ca.pem"));
		String ca = new String(download.body(), StandardCharsets.US_ASCII);
		assertThat(ca).startsWith("-----BEGIN CERTIFICATE-----");
		SSLSocketFactory trustingCa = ProvisionedDatabases.trusting(ca);

		Jedis openedInPlainText = plain(plainUrl, id, password);
		assertThat(openedInPlainText.get("key-0")).isEqualTo("value-0");

		long forced = changeConfig(owner, id, "{\"force_tls\": true}");

		// nothing goes on in plain text once TLS is forced: a connection made before is closed
		assertThatThrownBy(() -> openedInPlainText.get("key-0")).isInstanceOf(JedisConnectionException.class);
		openedInPlainText.close();
		JsonNode database = owner.get("/api/v1/databases/" + id).json();
		URI tlsUrl = URI.create(database.path("env").path("REDIS_URL").asString());
		// the address stays: only the scheme changes
		assertThat(tlsUrl.getScheme()).isEqualTo("rediss");
		assertThat(tlsUrl.getPort()).isEqualTo(plainUrl.getPort());
		assertThat(tlsUrl.getUserInfo()).isEqualTo(plainUrl.getUserInfo());
		assertThat(database.path("config").path("force_tls").asBoolean()).isTrue();
		assertRefusedWithoutTlsAndCa(tlsUrl, id, password);
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.dbSize()).isEqualTo(100);
			assertThat(jedis.get("key-99")).isEqualTo("value-99");
		}
		Map<String, Object> recorded = this.jdbc
			.sql("select requested_by, status, settings::text as settings from config_changes where job_execution_id = ?")
			.params(forced)
			.query()
			.singleRow();
		assertThat(recorded).containsEntry("requested_by", "database_token").containsEntry("status", "done");
		assertThat((String) recorded.get("settings")).contains("\"force_tls\": true");

		// a configuration change reaches the node over TLS
		changeConfig(operator(), id, "{\"timeout\": 300}");
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "300");
		}

		// a backup streams over TLS; its archive downloads and matches its checksum
		JsonNode backup = backUp(id);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		HttpResponse<byte[]> archive = owner.getBytes("/api/v1/databases/" + id + "/backups/" + backup.path("id").asString()
				+ "/archive");
		assertThat(archive.statusCode()).isEqualTo(200);
		String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive.body()));
		assertThat(archive.headers().firstValue("ETag").orElseThrow()).contains(sha256);
		assertThat(entries(archive.body())).contains("dump.rdb", "backup.json");

		// a restore brings the node back to the backup over TLS: the key written since is gone
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			jedis.set("after-backup", "goes away");
		}
		restore(owner, id, "{\"backup\": \"latest\", \"target\": \"in_place\"}");
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.exists("after-backup")).isFalse();
			assertThat(jedis.dbSize()).isEqualTo(100);
		}

		// the supervisor starts a killed node again from its rewritten configuration: TLS still forced
		long pid;
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			jedis.save();
			pid = Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}
		ProcessHandle.of(pid).orElseThrow().destroyForcibly();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
				return Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id")) != pid
						&& "0".equals(RedisInfo.fields(jedis.info("persistence")).get("loading"));
			}
		});
		assertThatThrownBy(() -> plain(tlsUrl, id, password).close()).isInstanceOf(RuntimeException.class);
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.get("key-0")).isEqualTo("value-0");
			assertThat(jedis.dbSize()).isEqualTo(100);
		}

		// turned off: redis:// again, plain text accepted
		changeConfig(owner, id, "{\"force_tls\": false}");
		database = owner.get("/api/v1/databases/" + id).json();
		assertThat(database.path("env").path("REDIS_URL").asString()).isEqualTo(plainUrl.toString());
		assertThat(database.path("config").path("force_tls").asBoolean()).isFalse();
		try (Jedis jedis = plain(plainUrl, id, password)) {
			assertThat(jedis.dbSize()).isEqualTo(100);
		}
		assertThatThrownBy(() -> tls(tlsUrl, id, password, trustingCa).close()).isInstanceOf(RuntimeException.class);
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aBusinessDatabaseWithTlsForcedIsBackedUpOnItsReplicaAndFailsOverBehindHaproxy() throws Exception {
		Provisioned provisioned = provision("tls-business", "redis-business-256");
		String id = provisioned.id();
		Map<String, Integer> ports = ProvisioningTest.portsByRole(provisioned.database());
		URI plainUrl = provisioned.url();
		String password = provisioned.password();
		try (Jedis jedis = plain(plainUrl, id, password)) {
			jedis.set("before", "failover");
		}
		SSLSocketFactory trustingCa = ProvisionedDatabases.trusting(operator().get("/api/v1/databases/" + id + "/ca-certificate").body());
		URI primaryNode = URI.create("redis://127.0.0.1:" + ports.get("primary"));
		Set<Long> plainLinks;
		try (Jedis jedis = plain(primaryNode, id, password)) {
			plainLinks = replicaLinks(jedis);
		}
		assertThat(plainLinks).as("the replica's link to the primary").isNotEmpty();

		changeConfig(operator(), id, "{\"force_tls\": true}");

		URI tlsUrl = URI.create(operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString());
		assertThat(tlsUrl.getScheme()).isEqualTo("rediss");
		assertThat(tlsUrl.getPort()).isEqualTo(ports.get("haproxy"));
		// the replication links made in plain text are gone: their port serves TLS only, so those made since speak it
		try (Jedis jedis = tls(primaryNode, id, password, trustingCa)) {
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
				Set<Long> links = replicaLinks(jedis);
				return !links.isEmpty() && Collections.disjoint(links, plainLinks);
			});
		}
		// HAProxy only verifies the nodes: it holds the CA's certificate, not the database's key
		List<String> proxyFolders = this.jdbc
			.sql("select driver_data->>'dir' from nodes where database_id = ? and driver_data->>'kind' = 'haproxy'")
			.param(id)
			.query(String.class)
			.list();
		assertThat(proxyFolders).hasSize(2).allSatisfy((folder) -> {
			assertThat(Path.of(folder, "tls", "ca.crt")).exists();
			assertThat(Path.of(folder, "tls", "node.key")).doesNotExist();
		});
		// HAProxy passes TLS through to the primary, and checks the nodes over TLS
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
				return "failover".equals(jedis.get("before"));
			}
		});
		assertThatThrownBy(() -> plain(tlsUrl, id, password).close()).isInstanceOf(RuntimeException.class);
		URI sentinel = URI.create("rediss://127.0.0.1:" + ports.get("sentinel"));
		try (Jedis jedis = tls(sentinel, null, null, trustingCa)) {
			assertThat(jedis.sentinelGetMasterAddrByName(id)).containsExactly("127.0.0.1",
					String.valueOf(ports.get("primary")));
		}
		URI replica = URI.create("rediss://127.0.0.1:" + ports.get("replica"));
		try (Jedis jedis = tls(replica, null, password, trustingCa)) {
			assertThat(RedisInfo.fields(jedis.info("replication"))).containsEntry("master_link_status", "up");
		}

		// the backup asks the sentinels and streams from the replica, both over TLS
		JsonNode backup = backUp(id);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		assertThat(backup.path("node").path("role").asString()).isEqualTo("replica");

		// a restore holds the sentinels off and loads the primary over TLS; the replica resyncs over TLS
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			jedis.set("after-backup", "goes away");
		}
		restore(operator(), id, "{\"backup\": \"latest\", \"target\": \"in_place\"}");
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.exists("after-backup")).isFalse();
			assertThat(jedis.get("before")).isEqualTo("failover");
		}
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(replica, null, password, trustingCa)) {
				return "up".equals(RedisInfo.fields(jedis.info("replication")).get("master_link_status"))
						&& !jedis.exists("after-backup") && "failover".equals(jedis.get("before"));
			}
		});

		URI primary = URI.create("rediss://127.0.0.1:" + ports.get("primary"));
		long primaryPid;
		try (Jedis jedis = tls(primary, null, password, trustingCa)) {
			primaryPid = Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}
		ProcessHandle.of(primaryPid).orElseThrow().destroyForcibly();

		// the sentinels promote the replica over TLS; REDIS_URL reaches it through HAProxy
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
				jedis.set("after", "failover");
				return "failover".equals(jedis.get("before"));
			}
		});
		// and the supervisor brings the old primary back as a replica, which syncs over TLS
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(primary, null, password, trustingCa)) {
				Map<String, String> replication = RedisInfo.fields(jedis.info("replication"));
				return "slave".equals(replication.get("role")) && "up".equals(replication.get("master_link_status"));
			}
		});
		try (Jedis jedis = tls(primary, null, password, trustingCa)) {
			assertThat(jedis.get("after")).isEqualTo("failover");
		}
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aStarterDatabaseWithTlsForcedBecomesBusinessAndIsUpgradedWithoutLeavingTls() throws Exception {
		Provisioned provisioned = provision("tls-grows", "redis-starter-256");
		String id = provisioned.id();
		String password = provisioned.password();
		try (Jedis jedis = plain(provisioned.url(), id, password)) {
			for (int i = 0; i < 100; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
		}
		SSLSocketFactory trustingCa = ProvisionedDatabases.trusting(operator().get("/api/v1/databases/" + id + "/ca-certificate").body());
		changeConfig(operator(), id, "{\"force_tls\": true}");

		// the replica, sentinels and HAProxy a plan change adds serve TLS like the node that was there
		completeJob("planChangeJob",
				operator().post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"redis-business-256\"}"), operator());
		JsonNode business = operator().get("/api/v1/databases/" + id).json();
		Map<String, Integer> ports = ProvisioningTest.portsByRole(business);
		URI tlsUrl = URI.create(business.path("env").path("REDIS_URL").asString());
		assertThat(tlsUrl.getScheme()).isEqualTo("rediss");
		assertThat(tlsUrl.getPort()).isEqualTo(ports.get("haproxy"));
		URI replica = URI.create("rediss://127.0.0.1:" + ports.get("replica"));
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = tls(replica, null, password, trustingCa)) {
				return "up".equals(RedisInfo.fields(jedis.info("replication")).get("master_link_status"))
						&& jedis.dbSize() == 100;
			}
		});
		assertThatThrownBy(() -> plain(replica, null, password).close()).isInstanceOf(RuntimeException.class);
		try (Jedis jedis = tls(URI.create("rediss://127.0.0.1:" + ports.get("sentinel")), null, null, trustingCa)) {
			assertThat(jedis.sentinelMaster(id)).containsEntry("num-slaves", "1");
		}

		// the rolling upgrade restarts each node from its own file, TLS included, and talks to them over TLS
		completeJob("engineUpgradeJob", operator().post("/api/v1/databases/" + id + "/upgrade",
				"{\"version\": \"" + TestEngines.NEXT + "\"}"), operator());
		assertThat(operator().get("/api/v1/databases/" + id).json().path("version").asString())
			.isEqualTo(TestEngines.NEXT);
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.get("key-99")).isEqualTo("value-99");
			assertThat(jedis.dbSize()).isEqualTo(100);
		}
		for (int port : List.of(ports.get("primary"), ports.get("replica"))) {
			assertThatThrownBy(() -> plain(URI.create("redis://127.0.0.1:" + port), null, password).close())
				.as("plain text on %d after the upgrade", port)
				.isInstanceOf(RuntimeException.class);
		}
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aSwitchThatFailsMidwayIsSaidLosesNothingAndCanBeAskedAgain() throws Exception {
		Provisioned provisioned = provision("tls-midway", "redis-starter-256");
		String id = provisioned.id();
		URI plainUrl = provisioned.url();
		String password = provisioned.password();
		long pid;
		try (Jedis jedis = plain(plainUrl, id, password)) {
			for (int i = 0; i < 50; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
			pid = Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}

		// a node that does not answer: the job fails, says which node, and nothing is recorded as forced
		signal("STOP", pid);
		long job;
		try {
			ApiClient.Response accepted = operator().patch("/api/v1/databases/" + id + "/config", "{\"force_tls\": true}");
			assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
			job = accepted.json().path("job").asLong();
			assertThat(awaitJobEnd(operator(), job).path("status").asString()).isEqualTo("failed");
		}
		finally {
			signal("CONT", pid);
		}
		Map<String, Object> recorded = this.jdbc.sql("select status, error from config_changes where job_execution_id = ?")
			.params(job)
			.query()
			.singleRow();
		assertThat(recorded).containsEntry("status", "error");
		assertThat((String) recorded.get("error")).contains(plainUrl.getHost() + ":" + plainUrl.getPort());
		assertThat(operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString())
			.startsWith("redis://");

		// asked again once the node answers: it takes, and every key is still there
		changeConfig(operator(), id, "{\"force_tls\": true}");
		URI tlsUrl = URI.create(operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString());
		assertThat(tlsUrl.getScheme()).isEqualTo("rediss");
		SSLSocketFactory trustingCa = ProvisionedDatabases.trusting(operator().get("/api/v1/databases/" + id + "/ca-certificate").body());
		try (Jedis jedis = tls(tlsUrl, id, password, trustingCa)) {
			assertThat(jedis.dbSize()).isEqualTo(50);
		}
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@AfterAll
	static void killLeftovers() {
		CofferTestServices.killProcessesUnder(ProvisioningTest.nodesFolder());
	}

	private static void signal(String name, long pid) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start();
		assertThat(kill.waitFor()).as("kill -" + name + " " + pid).isZero();
	}

	/** Neither a plain-text client nor a TLS client without the CA gets an answer at {@code url}. */
	/** The ids of the node's replica connections: its replica's link, and Coffer's archiver if it reads this node. */
	private static Set<Long> replicaLinks(Jedis jedis) {
		return new HashSet<>(RedisInfo.clientIds(jedis.clientList(ClientType.REPLICA)));
	}

	static void assertRefusedWithoutTlsAndCa(URI url, String user, String password) {
		assertThatThrownBy(() -> tls(url, user, password, null).close()).as("a client without the CA")
			.isInstanceOf(RuntimeException.class);
		assertThatThrownBy(() -> plain(url, user, password).close()).as("a plain-text client")
			.isInstanceOf(RuntimeException.class);
	}

	static Jedis plain(URI uri, String user, String password) {
		return ProvisioningTest.connect(uri, DefaultJedisClientConfig.builder().user(user).password(password));
	}

	/** A TLS client trusting {@code authority}, or the JVM's usual authorities when null. */
	static Jedis tls(URI uri, String user, String password, SSLSocketFactory authority) {
		DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().ssl(true).user(user).password(password);
		if (authority != null) {
			config.sslSocketFactory(authority);
		}
		return ProvisioningTest.connect(uri, config);
	}

	private static List<String> entries(byte[] archive) throws Exception {
		List<String> names = new ArrayList<>();
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new GzipCompressorInputStream(new ByteArrayInputStream(archive), true))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				names.add(entry.getName());
			}
		}
		return names;
	}

}
