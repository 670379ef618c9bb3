package io.coffer.redisconfig;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.coffer.catalog.InstanceTimeout;
import io.coffer.provision.ProvisioningTest;
import io.coffer.redis.RedisInfo;
import io.coffer.system.CofferInstance;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.ChangedSettings;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static io.coffer.testsupport.ProvisionedDatabases.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis settings changed through the API on real nodes: taken by every data node, kept across a
 * restart, recorded with who asked; and refused with a sentence when they cannot be.
 */
class ConfigChangeTest extends IntegrationTest {

	private static final String PASSWORD = "config-secret";

	@Autowired
	JdbcClient jdbc;

	@Autowired
	CofferInstance instance;

	@Autowired
	InstanceTimeout instanceTimeout;

	@Autowired
	ConfigChanges configChanges;

	@Test
	void aStarterDatabaseTakesEverySettingAndKeepsItWhenItsNodeIsRestarted() throws Exception {
		Provisioned provisioned = provision("config-app", "redis-starter-256");
		String id = provisioned.id();
		ApiClient owner = withToken(provisioned.token());
		JsonNode database = provisioned.database();
		URI uri = URI.create(database.path("env").path("REDIS_URL").asString());
		String password = uri.getUserInfo().substring(id.length() + 1);
		assertThat(database.path("config").path("rdb").asBoolean()).isTrue();
		assertThat(database.path("config").path("aof").asBoolean()).isFalse();
		assertThat(database.path("config").path("cache_mode").asBoolean()).isFalse();
		assertThat(database.path("config").path("timeout").asInt()).isEqualTo(150);
		try (Jedis jedis = connect(uri.getPort(), password)) {
			ChangedSettings.writeKeys(jedis);
		}

		long job = changeConfig(owner, id, ChangedSettings.AOF_CACHE_TIMEOUT);

		long pid;
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(jedis.configGet("save")).containsEntry("save", "");
			assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "yes");
			assertThat(jedis.configGet("appendfsync")).containsEntry("appendfsync", "everysec");
			assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(256L * 1024 * 1024));
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "300");
			Map<String, String> persistence = RedisInfo.fields(jedis.info("persistence"));
			assertThat(persistence).containsEntry("aof_enabled", "1").containsEntry("aof_rewrite_in_progress", "0");
			pid = Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}
		JsonNode config = owner.get("/api/v1/databases/" + id).json().path("config");
		assertThat(config.path("rdb").asBoolean()).isFalse();
		assertThat(config.path("aof").asBoolean()).isTrue();
		assertThat(config.path("cache_mode").asBoolean()).isTrue();
		assertThat(config.path("timeout").asInt()).isEqualTo(300);
		assertThat(config.path("maxmemory").asLong()).isEqualTo(256L * 1024 * 1024);
		assertThat(config.path("maxmemory_policy").asString()).isEqualTo("allkeys-lru");
		Map<String, Object> recorded = this.jdbc
			.sql("select requested_by, status, settings::text as settings, error from config_changes where job_execution_id = ?")
			.params(job)
			.query()
			.singleRow();
		assertThat(recorded).containsEntry("requested_by", "database_token").containsEntry("status", "done");
		assertThat(recorded.get("error")).isNull();
		assertThat((String) recorded.get("settings")).contains("\"aof\": true").contains("\"timeout\": 300");
		Path redisConf = ProvisioningTest.nodesFolder().resolve(id).resolve("redis-1").resolve("redis.conf");
		assertThat(Files.readString(redisConf)).contains("appendonly yes").contains("timeout 300")
			.contains("maxmemory-policy allkeys-lru");

		// the supervisor starts the killed node again from its rewritten file; its data comes back from the AOF
		ProcessHandle.of(pid).orElseThrow().destroyForcibly();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = connect(uri.getPort(), password)) {
				return Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id")) != pid
						&& "0".equals(RedisInfo.fields(jedis.info("persistence")).get("loading"));
			}
		});
		try (Jedis jedis = connect(uri.getPort(), password)) {
			ChangedSettings.assertKeptAcrossARestart(jedis);
		}

		// and back to the baseline, asked by the operator this time
		long back = changeConfig(operator(), id, "{\"rdb\": true, \"aof\": false, \"cache_mode\": false, \"timeout\": 0}");
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(jedis.configGet("save")).containsEntry("save", RedisSettings.SAVE_POINTS);
			assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "no");
			assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "0");
		}
		assertThat(this.jdbc.sql("select requested_by from config_changes where job_execution_id = ?")
			.params(back)
			.query(String.class)
			.single()).isEqualTo("operator");
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aPrimaryAndItsReplicaBothTakeTheChangeKeepItAcrossARestartAndEvictInCacheMode() {
		try (RedisServerProcess primary = RedisServerProcess.options().password(PASSWORD)
			.set("maxmemory", "10mb")
			.start();
				RedisServerProcess replica = RedisServerProcess.options().password(PASSWORD)
					.set("maxmemory", "10mb")
					.replicaOf(primary)
					.start()) {
			String id = register(primary, replica);

			changeConfig(operator(), id, "{\"cache_mode\": true, \"timeout\": 42, \"aof\": true}");

			for (RedisServerProcess node : new RedisServerProcess[] { primary, replica }) {
				try (Jedis jedis = node.jedis()) {
					assertThat(jedis.configGet("maxmemory-policy")).as(node.toString())
						.containsEntry("maxmemory-policy", "allkeys-lru");
					// a registered database keeps its own limit
					assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(10L * 1024 * 1024));
					assertThat(jedis.configGet("timeout")).containsEntry("timeout", "42");
					assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "yes");
				}
			}
			replica.restart();
			try (Jedis jedis = replica.jedis()) {
				assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
				assertThat(jedis.configGet("timeout")).containsEntry("timeout", "42");
			}

			// three times the limit: the least recently used keys go, and no write is refused
			try (Jedis jedis = primary.jedis()) {
				String value = "x".repeat(1024);
				for (int batch = 0; batch < 30; batch++) {
					Pipeline pipeline = jedis.pipelined();
					for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
						pipeline.set("cached-" + i, value);
					}
					assertThat(pipeline.syncAndReturnAll()).allMatch("OK"::equals);
				}
				assertThat(jedis.dbSize()).isLessThan(30000);
				assertThat(Long.parseLong(RedisInfo.fields(jedis.info("stats")).get("evicted_keys"))).isPositive();
				assertThat(jedis.get("cached-29999")).isEqualTo(value);
			}
			assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		}
	}

	@Test
	void aTlsSwitchAndBackupsWaitForEachOtherAndAChangeLeftByAStoppedInstanceIsMarkedInterrupted() {
		String id = provision("config-busy", "redis-starter-256").id();
		// a backup this live instance runs
		this.jdbc.sql("""
				insert into backups (id, database_id, created_at, name, status, method, object_key, instance_id)
				values (?, ?, now(), 'running.tar.gz', 'running', 'manual', ?, ?)""")
			.params(id + "-running", id, id + "/running", this.instance.id())
			.update();
		ApiClient.Response tls = operator().patch("/api/v1/databases/" + id + "/config", "{\"force_tls\": true}");
		assertThat(tls.status()).as(tls.body()).isEqualTo(409);
		assertThat(tls.text("message")).isEqualTo("a backup of " + id + " is in progress; change its configuration once it is done");
		// other settings do not change how the nodes are reached: they go ahead
		changeConfig(operator(), id, "{\"aof\": true}");
		this.jdbc.sql("update backups set status = 'error' where id = ?").param(id + "-running").update();

		// a TLS switch left by an instance that stopped
		this.jdbc.sql("""
				insert into config_changes (database_id, settings, requested_by, requested_at, status, instance_id)
				values (?, '{"force_tls": true}'::jsonb, 'operator', now() - interval '10 minutes', 'running',
				    'instance-that-stopped')""").param(id).update();
		ApiClient.Response backup = operator().post("/api/v1/databases/" + id + "/backups", "");
		assertThat(backup.status()).as(backup.body()).isEqualTo(409);
		assertThat(backup.text("message")).isEqualTo("a TLS switch of " + id + " is in progress; back it up once it is done");

		assertThat(this.configChanges.recover(this.instanceTimeout.stoppedNow())).isPositive();
		assertThat(this.jdbc.sql("select error from config_changes where database_id = ? and instance_id = 'instance-that-stopped'")
			.param(id).query(String.class).single()).startsWith("interrupted");
		JsonNode done = backUp(id);
		assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("done");
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void whatCannotBeChangedIsRefusedWithASentence() {
		try (RedisServerProcess node = RedisServerProcess.startWithPassword(PASSWORD)) {
			String id = register(node);
			String path = "/api/v1/databases/" + id + "/config";

			ApiClient.Response unknown = operator().patch(path, "{\"appendonly\": true}");
			assertThat(unknown.status()).isEqualTo(400);
			assertThat(unknown.text("message")).contains("unknown setting \"appendonly\"");
			ApiClient.Response notABoolean = operator().patch(path, "{\"aof\": \"yes\"}");
			assertThat(notABoolean.status()).isEqualTo(400);
			assertThat(notABoolean.text("message")).isEqualTo("\"aof\" must be true or false, not \"yes\"");
			ApiClient.Response tooLong = operator().patch(path, "{\"timeout\": 90000}");
			assertThat(tooLong.status()).isEqualTo(400);
			assertThat(tooLong.text("message")).contains("from 0 (never) to 86400");
			assertThat(operator().patch(path, "{\"timeout\": -1}").status()).isEqualTo(400);
			assertThat(operator().patch(path, "{}").status()).isEqualTo(400);
			ApiClient.Response tls = operator().patch(path, "{\"force_tls\": true}");
			assertThat(tls.status()).isEqualTo(422);
			assertThat(tls.text("message")).contains("is a registered database");
			ApiClient.Response tlsNotBoolean = operator().patch(path, "{\"force_tls\": \"on\"}");
			assertThat(tlsNotBoolean.status()).isEqualTo(400);
			assertThat(tlsNotBoolean.text("message")).isEqualTo("\"force_tls\" must be true or false, not \"on\"");
			ApiClient.Response noCa = operator().get("/api/v1/databases/" + id + "/ca-certificate");
			assertThat(noCa.status()).isEqualTo(422);
			assertThat(noCa.text("message")).contains("registered database");
			assertThat(operator().get("/api/v1/databases/no-such-db-4242/ca-certificate").status()).isEqualTo(404);
			ApiClient.Response noLimit = operator().patch(path, "{\"cache_mode\": true}");
			assertThat(noLimit.status()).isEqualTo(422);
			assertThat(noLimit.text("message")).contains("has no maxmemory");
			ApiClient.Response missing = operator().patch("/api/v1/databases/no-such-db-4242/config", "{\"aof\": true}");
			assertThat(missing.status()).isEqualTo(404);
			assertThat(missing.text("message")).isEqualTo("database no-such-db-4242 was not found");
			try (Jedis jedis = node.jedis()) {
				assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "no");
			}

			// an unreachable primary leaves the page readable, saying why the configuration is missing
			node.stop();
			JsonNode database = operator().get("/api/v1/databases/" + id).json();
			assertThat(database.has("config")).isTrue();
			assertThat(database.path("config").isNull()).isTrue();
			assertThat(database.path("config_error").asString()).startsWith("the configuration could not be read");
			// its node is gone, so no final backup can be taken: deleted without one, on purpose
			assertThat(operator().delete("/api/v1/databases/" + id + "?final_backup=false").status()).isEqualTo(200);
		}
	}

	private String register(RedisServerProcess... nodes) {
		StringBuilder addresses = new StringBuilder();
		for (RedisServerProcess node : nodes) {
			addresses.append((addresses.length() > 0) ? ", " : "")
				.append("{\"host\": \"127.0.0.1\", \"port\": ").append(node.port()).append("}");
		}
		ApiClient.Response created = operator().post("/api/v1/databases", """
				{"app": "config-%s", "register": {"nodes": [%s], "password": "%s"}}
				""".formatted(Long.toString(System.nanoTime(), 36), addresses, PASSWORD));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.text("id");
	}

}
