package io.coffer.node;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import io.coffer.provision.ProvisioningTest;
import io.coffer.redis.RedisInfo;
import io.coffer.node.docker.DockerEngine;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.ChangedSettings;
import io.coffer.testsupport.DockerServiceTest;
import io.coffer.testsupport.TestDockerEngine;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole service with {@code coffer.provisioning.driver=docker} against a real container engine: a
 * starter database provisioned through the API runs in a container, its stats come from the engine, a plan
 * change resizes the container live, configuration changes take and survive a killed container, a backup and a restore work on it, an engine upgrade replaces its
 * container by one of the new engine's image, and its deletion removes the container. A business database does the same with
 * each node in a container: failover, backup, restore, a rolling upgrade, a configuration job on both data nodes and a plan
 * change resizing both data nodes' containers. Skipped, saying why, only when no engine answers.
 */
class DockerDriverServiceTest extends DockerServiceTest {

	private static final String INSTANCE = "service-test-" + Long.toString(System.nanoTime(), 36);

	private static final long MB = 1024L * 1024;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestDockerEngine.registerDriver(registry, INSTANCE);
	}

	@Test
	void aStarterDatabaseRunsInAContainerIsResizedBackedUpRestoredAndRemovedWithIt() throws IOException {
		Provisioned database = provision("docker-app", "redis-starter-256");
		String id = database.id();
		String container = "coffer-" + INSTANCE + "-" + id + "-" + DatabaseNodes.PRIMARY;
		try (DockerEngine engine = new DockerEngine(TestDockerEngine.HOST)) {
			InspectContainerResponse running = engine.inspect(container).orElseThrow();
			assertThat(running.getHostConfig().getMemory()).isEqualTo((256 + 32) * MB);
			assertThat(running.getConfig().getLabels()).containsEntry(DockerNodeDriver.DATABASE_LABEL, id);
			URI url = database.url();
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				jedis.set("kept", "before the backup");
				assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(256 * MB));
			}

			JsonNode stats = operator().get("/api/v1/databases/" + id + "/stats").json();
			assertThat(stats.path("container").path("source").asString()).as(stats.toString())
				.isEqualTo(DatabaseStats.FROM_CONTAINER);
			assertThat(stats.path("container").path("memory").path("current").asLong()).isPositive();
			assertThat(stats.path("container").path("swap").path("current").isIntegralNumber()).as(stats.toString())
				.isTrue();

			ApiClient owner = withToken(database.token());
			completeJob("planChangeJob", owner.post("/api/v1/databases/" + id + "/plan",
					"{\"plan\": \"redis-starter-512\"}"), owner);
			assertThat(engine.inspect(container).orElseThrow().getHostConfig().getMemory()).isEqualTo((512 + 32) * MB);
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(512 * MB));
			}

			JsonNode backup = backUp(id);
			assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				jedis.set("kept", "after the backup");
			}
			JsonNode restored = restore(operator(), id, "{\"backup\": \"latest\"}");
			assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				assertThat(jedis.get("kept")).isEqualTo("before the backup");
			}

			// an engine upgrade replaces the container by one of the new engine's image, the data kept
			completeJob("engineUpgradeJob", owner.post("/api/v1/databases/" + id + "/upgrade",
					"{\"version\": \"" + TestEngines.VALKEY + "\"}"), owner);
			InspectContainerResponse upgraded = engine.inspect(container).orElseThrow();
			assertThat(upgraded.getConfig().getImage()).isEqualTo("coffer/valkey:" + TestEngines.VALKEY_VERSION);
			assertThat(upgraded.getId()).isNotEqualTo(running.getId());
			assertThat(upgraded.getHostConfig().getMemory()).as("the limit of the plan it has now")
				.isEqualTo((512 + 32) * MB);
			assertThat(upgraded.getHostConfig().getRestartPolicy().getName()).isEqualTo("unless-stopped");
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				assertThat(jedis.get("kept")).isEqualTo("before the backup");
				assertThat(RedisInfo.fields(jedis.info("server"))).containsEntry("valkey_version", TestEngines.VALKEY_VERSION);
			}
			JsonNode shown = operator().get("/api/v1/databases/" + id).json();
			assertThat(shown.path("engine").asString()).isEqualTo("valkey");
			assertThat(shown.path("version").asString()).isEqualTo(TestEngines.VALKEY_VERSION);

			ApiClient.Response deleted = operator().delete("/api/v1/databases/" + id + "?final_backup=false");
			assertThat(deleted.status()).as(deleted.body()).isLessThan(300);
			org.awaitility.Awaitility.await()
				.atMost(java.time.Duration.ofSeconds(60))
				.until(() -> engine.inspect(container).isEmpty());
		}
	}

	@Test
	void aStarterDatabaseInAContainerTakesEverySettingAndKeepsItWhenTheEngineRestartsItsKilledContainer()
			throws IOException {
		Provisioned database = provision("docker-config-app", "redis-starter-256");
		String id = database.id();
		String container = "coffer-" + INSTANCE + "-" + id + "-" + DatabaseNodes.PRIMARY;
		URI url = database.url();
		try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
			ChangedSettings.writeKeys(jedis);
		}

		changeConfig(withToken(database.token()), id, ChangedSettings.AOF_CACHE_TIMEOUT);
		try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
			assertThat(jedis.configGet("save")).containsEntry("save", "");
			assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "yes");
			assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "300");
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(256 * MB));
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
				.until(() -> RedisInfo.fields(jedis.info("persistence")).get("aof_rewrite_in_progress"), "0"::equals);
		}
		JsonNode config = operator().get("/api/v1/databases/" + id).json().path("config");
		assertThat(config.path("aof").asBoolean()).isTrue();
		assertThat(config.path("cache_mode").asBoolean()).isTrue();
		assertThat(config.path("timeout").asInt()).isEqualTo(300);

		// the engine starts the killed container again, its program reading the rewritten file: the data comes
		// back from the AOF, the settings with it
		try (DockerEngine engine = new DockerEngine(TestDockerEngine.HOST)) {
			killAndAwaitRestart(engine, container);
		}
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				return "0".equals(RedisInfo.fields(jedis.info("persistence")).get("loading"));
			}
		});
		try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
			ChangedSettings.assertKeptAcrossARestart(jedis);
		}

		// and back to the baseline, asked by the operator
		changeConfig(operator(), id, "{\"rdb\": true, \"aof\": false, \"cache_mode\": false, \"timeout\": 0}");
		try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
			assertThat(jedis.configGet("save")).containsEntry("save", "900 1 300 10 60 10000");
			assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "no");
			assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "0");
		}
		ApiClient.Response deleted = operator().delete("/api/v1/databases/" + id + "?final_backup=false");
		assertThat(deleted.status()).as(deleted.body()).isLessThan(300);
	}

	@Test
	void aBusinessDatabaseRunsEachNodeInAContainerAndKeepsItsUrlAcrossAFailover() throws IOException {
		Provisioned database = provision("docker-business-app", "redis-business-256");
		String id = database.id();
		URI url = database.url();
		Map<String, Integer> ports = ProvisioningTest.portsByRole(database.database());
		assertThat(url.getPort()).isEqualTo(ports.get("haproxy"));
		// each data node keeps its port whichever role it has
		Map<String, Integer> nodePorts = Map.of(DatabaseNodes.PRIMARY, ports.get("primary"), DatabaseNodes.REPLICA,
				ports.get("replica"));
		try (DockerEngine engine = new DockerEngine(TestDockerEngine.HOST)) {
			List<Container> containers = engine.withLabels(Map.of(DockerNodeDriver.INSTANCE_LABEL, INSTANCE,
					DockerNodeDriver.DATABASE_LABEL, id));
			assertThat(containers).extracting(Container::getImage)
				.hasSize(7)
				.filteredOn((image) -> image.startsWith("coffer/haproxy:"))
				.hasSize(2);
			assertThat(containers).allMatch((container) -> "running".equals(container.getState()));
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				jedis.set("before", "failover");
			}

			// the sentinels, each in its container, hand the primary's role to the replica; HAProxy follows
			URI sentinel = URI.create("redis://127.0.0.1:" + ports.get("sentinel"));
			try (Jedis jedis = ProvisioningTest.connect(sentinel, null, null)) {
				assertThat(jedis.sentinelFailover(id)).isEqualTo("OK");
			}
			URI replica = URI.create("redis://127.0.0.1:" + ports.get("replica"));
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				try (Jedis jedis = ProvisioningTest.connect(replica, null, database.password())) {
					return "master".equals(RedisInfo.fields(jedis.info("replication")).get("role"));
				}
			});
			// until HAProxy's next check, and until the sentinels demote it, the old primary may still take a
			// write that its resync then drops: what must come is REDIS_URL writing to the new primary
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				try (Jedis app = ProvisioningTest.connect(url, id, database.password());
						Jedis promoted = ProvisioningTest.connect(replica, null, database.password())) {
					app.set("after", "failover");
					return "failover".equals(app.get("before")) && "failover".equals(promoted.get("after"));
				}
			});

			// and the catalogue follows the new roles
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
				.until(() -> ProvisioningTest.portsByRole(operator().get("/api/v1/databases/" + id).json()).get("primary"),
						ports.get("replica")::equals);

			JsonNode backup = backUp(id);
			assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				jedis.set("after", "the backup");
			}
			JsonNode restored = restore(operator(), id, "{\"backup\": \"latest\"}");
			assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
					return "failover".equals(jedis.get("after"));
				}
			});

			// a rolling engine upgrade replaces both data nodes' containers, one failover between them
			ApiClient owner = withToken(database.token());
			completeJob("engineUpgradeJob", owner.post("/api/v1/databases/" + id + "/upgrade",
					"{\"version\": \"" + TestEngines.VALKEY + "\"}"), owner);
			for (String node : List.of(DatabaseNodes.PRIMARY, DatabaseNodes.REPLICA)) {
				assertThat(engine.inspect("coffer-" + INSTANCE + "-" + id + "-" + node).orElseThrow().getConfig().getImage())
					.isEqualTo("coffer/valkey:" + TestEngines.VALKEY_VERSION);
			}
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				assertThat(jedis.get("before")).isEqualTo("failover");
				assertThat(RedisInfo.fields(jedis.info("server"))).containsEntry("valkey_version", TestEngines.VALKEY_VERSION);
				ChangedSettings.writeKeys(jedis);
			}

			// a configuration job reaches both data nodes, and the one restarted by the engine keeps it
			changeConfig(owner, id, ChangedSettings.AOF_CACHE_TIMEOUT);
			for (String node : List.of(DatabaseNodes.PRIMARY, DatabaseNodes.REPLICA)) {
				URI address = URI.create("redis://127.0.0.1:" + nodePorts.get(node));
				try (Jedis jedis = ProvisioningTest.connect(address, null, database.password())) {
					ChangedSettings.assertTaken(jedis);
					await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
						.until(() -> RedisInfo.fields(jedis.info("persistence")).get("aof_rewrite_in_progress"), "0"::equals);
				}
			}
			String replicaNode = replicaNode(nodePorts, database.password());
			URI replicaAddress = URI.create("redis://127.0.0.1:" + nodePorts.get(replicaNode));
			killAndAwaitRestart(engine, "coffer-" + INSTANCE + "-" + id + "-" + replicaNode);
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				try (Jedis jedis = ProvisioningTest.connect(replicaAddress, null, database.password())) {
					Map<String, String> replication = RedisInfo.fields(jedis.info("replication"));
					return "up".equals(replication.get("master_link_status"))
							&& "0".equals(RedisInfo.fields(jedis.info("persistence")).get("loading"));
				}
			});
			try (Jedis jedis = ProvisioningTest.connect(replicaAddress, null, database.password())) {
				ChangedSettings.assertTaken(jedis);
				assertThat(jedis.get("key-" + (ChangedSettings.KEYS - 1))).isEqualTo("value-" + (ChangedSettings.KEYS - 1));
			}
			JsonNode config = operator().get("/api/v1/databases/" + id).json().path("config");
			assertThat(config.path("aof").asBoolean()).isTrue();
			assertThat(config.path("cache_mode").asBoolean()).isTrue();
			assertThat(config.path("timeout").asInt()).isEqualTo(300);

			// a plan change within the family resizes both data nodes' containers live, the data kept
			completeJob("planChangeJob", owner.post("/api/v1/databases/" + id + "/plan",
					"{\"plan\": \"redis-business-512\"}"), owner);
			for (String node : List.of(DatabaseNodes.PRIMARY, DatabaseNodes.REPLICA)) {
				assertThat(engine.inspect("coffer-" + INSTANCE + "-" + id + "-" + node).orElseThrow().getHostConfig().getMemory())
					.as(node).isEqualTo((512 + 32) * MB);
				URI address = URI.create("redis://127.0.0.1:" + nodePorts.get(node));
				try (Jedis jedis = ProvisioningTest.connect(address, null, database.password())) {
					assertThat(jedis.configGet("maxmemory")).as(node).containsEntry("maxmemory", String.valueOf(512 * MB));
					assertThat(jedis.configGet("maxmemory-policy")).as(node).containsEntry("maxmemory-policy", "allkeys-lru");
				}
			}
			try (Jedis jedis = ProvisioningTest.connect(url, id, database.password())) {
				assertThat(jedis.get("before")).isEqualTo("failover");
				assertThat(jedis.get("key-0")).isEqualTo("value-0");
				jedis.set("after", "the plan change");
			}
			assertThat(operator().get("/api/v1/databases/" + id).json().path("plan").asString())
				.isEqualTo("redis-business-512");

			ApiClient.Response deleted = operator().delete("/api/v1/databases/" + id + "?final_backup=false");
			assertThat(deleted.status()).as(deleted.body()).isLessThan(300);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> engine.withLabels(Map.of(DockerNodeDriver.INSTANCE_LABEL, INSTANCE,
						DockerNodeDriver.DATABASE_LABEL, id)).isEmpty());
		}
	}

	/** The data node (by its name) that replicates now: failovers and rolling upgrades move the roles. */
	private static String replicaNode(Map<String, Integer> nodePorts, String password) {
		for (String node : List.of(DatabaseNodes.PRIMARY, DatabaseNodes.REPLICA)) {
			try (Jedis jedis = ProvisioningTest.connect(URI.create("redis://127.0.0.1:" + nodePorts.get(node)), null, password)) {
				if ("slave".equals(RedisInfo.fields(jedis.info("replication")).get("role"))) {
					return node;
				}
			}
		}
		throw new AssertionError("neither data node replicates");
	}

	/** Kills the container's program from outside, as a crash would, and waits for the engine to start it again. */
	private static void killAndAwaitRestart(DockerEngine engine, String container) {
		InspectContainerResponse running = engine.inspect(container).orElseThrow();
		int restarts = running.getRestartCount();
		long pid = running.getState().getPidLong();
		assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
			.until(() -> engine.inspect(container).orElseThrow().getRestartCount() > restarts);
	}

}
