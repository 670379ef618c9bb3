package io.coffer.provision;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.coffer.catalog.InstanceTimeout;
import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.ProvisionedDatabases;
import org.junit.jupiter.api.AfterAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Databases provisioned from plans with the process driver, used as their apps would use them: through
 * REDIS_URL, across a failover, backed up, and deleted without a trace. The shared services set short
 * sentinel and supervision timings.
 */
public class ProvisioningTest extends IntegrationTest {

	@Autowired
	JdbcClient jdbc;

	@Autowired
	InterruptedProvisionings recovery;

	@Autowired
	InstanceTimeout instanceTimeout;

	@Test
	void listsThePlans() {
		assertThat(withToken("cft_not-a-token").get("/api/v1/plans").status()).isEqualTo(401);
		JsonNode plans = operator().get("/api/v1/plans").json();
		assertThat(plans).hasSize(12);
		JsonNode business = plans.get(11);
		assertThat(business.path("name").asString()).isEqualTo("redis-business-8192");
		assertThat(business.path("memory_mb").asInt()).isEqualTo(8192);
		assertThat(business.path("nodes").asInt()).isEqualTo(2);
		assertThat(business.path("sentinels").asInt()).isEqualTo(3);
		assertThat(business.path("retention").path("monthly").asInt()).isEqualTo(12);
		assertThat(business.path("retention").path("manual").asInt()).isEqualTo(50);
		JsonNode starter = plans.get(0);
		assertThat(starter.path("name").asString()).isEqualTo("redis-starter-256");
		assertThat(starter.path("retention").path("weekly").asInt()).isEqualTo(4);
	}

	@Test
	void provisionsAStarterDatabaseWithThePlatformBaselineAndDeletesItWithoutATrace() throws Exception {
		ApiClient.Response created = operator().post("/api/v1/databases",
				"{\"app\": \"starter-app\", \"plan\": \"redis-starter-256\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = created.text("id");
		assertThat(id).matches("starter-app-\\d{4}");
		assertThat(created.text("status")).isEqualTo("provisioning");
		assertThat(created.text("token")).startsWith("cft_");
		String url = created.json().path("env").path("REDIS_URL").asString();
		assertThat(url).matches("redis://" + id + ":[A-Za-z0-9_-]{64}@127\\.0\\.0\\.1:\\d+");
		assertThat(created.json().path("env").path("COFFER_REDIS_URL").asString()).isEqualTo(url);

		JsonNode database = awaitStatus(id, "running");
		assertThat(database.path("env").path("REDIS_URL").asString()).isEqualTo(url);
		assertThat(withToken(created.text("token")).get("/api/v1/databases/" + id).json().path("env")
			.path("REDIS_URL").asString()).isEqualTo(url);
		URI uri = URI.create(url);
		String password = uri.getUserInfo().substring(id.length() + 1);
		long pid;
		try (Jedis jedis = connect(uri, id, password)) {
			jedis.set("greeting", "hello");
			jedis.select(4);
			jedis.set("in-four", "yes");
			assertThatThrownBy(() -> jedis.select(5)).isInstanceOf(JedisDataException.class)
				.hasMessageContaining("out of range");
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "150");
			assertThat(jedis.configGet("save")).containsEntry("save", "900 1 300 10 60 10000");
			assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "no");
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(256L * 1024 * 1024));
			assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
			pid = Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}
		try (Jedis jedis = connect(uri, null, password)) {
			assertThat(jedis.get("greeting")).isEqualTo("hello");
		}
		assertThatThrownBy(() -> connect(uri, id, "not-the-password")).isInstanceOf(JedisAccessControlException.class);
		assertThatThrownBy(() -> connect(uri, null, "not-the-password")).isInstanceOf(JedisAccessControlException.class);

		JsonNode stats = operator().get("/api/v1/databases/" + id + "/stats").json();
		assertThat(stats.path("memory").path("current").asLong()).isPositive();
		assertThat(stats.path("memory").path("highest").asLong()).isGreaterThanOrEqualTo(
				stats.path("memory").path("current").asLong());
		assertThat(stats.path("memory").path("limit").asLong()).isEqualTo(256L * 1024 * 1024);
		assertThat(stats.path("memory").path("free").asLong()).isPositive();
		assertThat(stats.path("keys").path("db0").asLong()).isEqualTo(1);
		assertThat(stats.path("keys").path("db4").asLong()).isEqualTo(1);
		assertThat(stats.path("disk").path("size").asLong()).isPositive();
		assertThat(stats.has("swap_bytes")).as(stats.toString()).isTrue();
		assertThat(stats.path("uptime_seconds").isIntegralNumber()).as(stats.toString()).isTrue();
		assertThat(stats.has("average_cpu_percent")).as("a derived figure is the dashboard's, not the API's").isFalse();

		Path folder = nodesFolder().resolve(id);
		assertThat(folder.resolve("redis-1").resolve("redis.conf")).isRegularFile();
		ApiClient.Response deleted = withToken(created.text("token")).delete("/api/v1/databases/" + id);
		assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
		assertThat(deleted.text("status")).isEqualTo("deleted");
		assertThat(deleted.json().path("env").isEmpty()).isTrue();
		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
		assertThat(isFree(uri.getPort())).isTrue();
		assertThat(folder).doesNotExist();
		assertThat(operator().get("/api/v1/databases/" + id).status()).isEqualTo(404);
		assertThat(withToken(created.text("token")).get("/api/v1/databases/" + id).status()).isEqualTo(401);
	}

	@Test
	void aBusinessDatabaseIsBackedUpOnItsReplicaAndKeepsItsUrlAcrossAFailover() throws Exception {
		Provisioned provisioned = provision("business-app", "redis-business-256");
		String id = provisioned.id();
		JsonNode database = provisioned.database();
		assertThat(database.path("sentinel_master").asString()).isEqualTo(id);
		Map<String, Integer> ports = portsByRole(database);
		assertThat(ports).containsKeys("primary", "replica", "sentinel", "haproxy");
		URI uri = URI.create(database.path("env").path("REDIS_URL").asString());
		String password = uri.getUserInfo().substring(id.length() + 1);
		assertThat(uri.getPort()).isEqualTo(ports.get("haproxy"));
		try (Jedis jedis = connect(uri, id, password)) {
			jedis.set("before", "failover");
		}

		JsonNode backup = backUp(id);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		assertThat(backup.path("node").path("role").asString()).isEqualTo("replica");
		assertThat(backup.path("node").path("port").asInt()).isEqualTo(ports.get("replica"));

		URI primary = URI.create("redis://127.0.0.1:" + ports.get("primary"));
		long primaryPid;
		try (Jedis jedis = connect(primary, null, password)) {
			primaryPid = Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}
		ProcessHandle.of(primaryPid).orElseThrow().destroyForcibly();

		// the sentinels promote the replica; HAProxy sends the same URL to it
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = connect(uri, id, password)) {
				jedis.set("after", "failover");
				return "failover".equals(jedis.get("before"));
			}
		});
		URI replica = URI.create("redis://127.0.0.1:" + ports.get("replica"));
		try (Jedis jedis = connect(replica, null, password)) {
			assertThat(RedisInfo.fields(jedis.info("replication")).get("role")).isEqualTo("master");
		}
		// the supervisor brings the old primary back as a replica of the new one. On a loaded machine the
		// sentinels (down-after 1 s here) may fail over once more meanwhile: what must hold is that both nodes
		// serve again as one primary and its replica, and that the catalogue follows whichever is which.
		int[] primaryNow = new int[1];
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			for (int port : List.of(ports.get("primary"), ports.get("replica"))) {
				try (Jedis jedis = connect(URI.create("redis://127.0.0.1:" + port), null, password)) {
					Map<String, String> replication = RedisInfo.fields(jedis.info("replication"));
					if ("slave".equals(replication.get("role")) && "up".equals(replication.get("master_link_status"))) {
						primaryNow[0] = Integer.parseInt(replication.get("master_port"));
						return primaryNow[0] != port;
					}
				}
			}
			return false;
		});
		try (Jedis jedis = connect(uri, id, password)) {
			assertThat(jedis.get("before")).isEqualTo("failover");
			assertThat(jedis.get("after")).isEqualTo("failover");
		}
		// the node brought back was not to be promoted until it held its primary's data; now it may be again
		int replicaNow = (primaryNow[0] == ports.get("primary")) ? ports.get("replica") : ports.get("primary");
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = connect(URI.create("redis://127.0.0.1:" + replicaNow), null, password)) {
				return RedisInfo.fields(jedis.info("replication")).get("slave_priority");
			}
		}, "100"::equals);

		// and the catalogue follows the new roles
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
			.until(() -> portsByRole(operator().get("/api/v1/databases/" + id).json()).get("primary"),
					(listed) -> listed == primaryNow[0]);

		List<Integer> all = ports(database);
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		assertThat(all).allMatch(ProvisioningTest::isFree);
		assertThat(nodesFolder().resolve(id)).doesNotExist();
	}

	@Test
	void aProvisioningWhoseInstanceStoppedHasItsNodesRemovedAndCanBeDeleted() {
		Provisioned provisioned = provision("orphan-app", "redis-starter-256");
		String id = provisioned.id();
		JsonNode database = provisioned.database();
		List<Integer> all = ports(database);
		// as an instance that stopped after starting the node leaves it: still provisioning, its node up
		this.jdbc.sql("""
				update databases set status = 'provisioning', provisioning_instance = 'instance-that-stopped',
				    created_at = now() - interval '10 minutes' where id = ?""").param(id).update();
		ApiClient.Response refused = operator().delete("/api/v1/databases/" + id);
		assertThat(refused.status()).as("a database being provisioned is not deleted under its job").isEqualTo(409);

		this.recovery.recover(this.instanceTimeout.stoppedNow());

		JsonNode settled = operator().get("/api/v1/databases/" + id).json();
		assertThat(settled.path("status").asString()).isEqualTo("error");
		assertThat(settled.path("status_reason").asString())
			.isEqualTo("provisioning failed: interrupted: the instance running it stopped");
		assertThat(all).allMatch(ProvisioningTest::isFree);
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void refusesAnUnknownPlan() {
		ApiClient.Response refused = operator().post("/api/v1/databases",
				"{\"app\": \"no-plan-app\", \"plan\": \"redis-gold-1\"}");
		assertThat(refused.status()).isEqualTo(422);
		assertThat(refused.text("error")).isEqualTo("unknown_plan");
	}

	JsonNode awaitStatus(String id, String status) {
		return await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> operator().get("/api/v1/databases/" + id).json(), (json) -> {
				String current = json.path("status").asString();
				if ("error".equals(current) && !"error".equals(status)) {
					throw new AssertionError("provisioning failed: " + json.path("status_reason").asString());
				}
				return status.equals(current);
			});
	}

	public static Jedis connect(URI uri, String user, String password) {
		return ProvisionedDatabases.connect(uri.getHost(), uri.getPort(), user, password);
	}

	public static Jedis connect(URI uri, DefaultJedisClientConfig.Builder config) {
		return ProvisionedDatabases.connect(uri.getHost(), uri.getPort(), config);
	}

	public static Path nodesFolder() {
		return CofferTestServices.get().workFolder().resolve("data").resolve("nodes");
	}

	public static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The first node's port of each role. */
	public static Map<String, Integer> portsByRole(JsonNode database) {
		Map<String, Integer> ports = new java.util.LinkedHashMap<>();
		database.path("nodes").forEach((node) -> ports.putIfAbsent(node.path("role").asString(), node.path("port").asInt()));
		return ports;
	}

	/** Kills what a failed test left running in a folder of nodes (a passing test deletes its databases). */
	@AfterAll
	static void killLeftovers() {
		CofferTestServices.killProcessesUnder(nodesFolder());
	}

	public static List<Integer> ports(JsonNode database) {
		List<Integer> ports = new ArrayList<>();
		database.path("nodes").forEach((node) -> ports.add(node.path("port").asInt()));
		return ports;
	}

}
