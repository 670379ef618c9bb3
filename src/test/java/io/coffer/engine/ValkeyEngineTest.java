package io.coffer.engine;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static io.coffer.testsupport.ProvisionedDatabases.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Databases on the two real engines installed, Redis and Valkey: provisioned on Valkey, upgraded from
 * Redis to Valkey with a client writing all along, and their backups restored across engines where the
 * target reads the dump, refused (422, the target untouched) where it does not.
 */
class ValkeyEngineTest extends IntegrationTest {

	@Autowired
	JdbcClient jdbc;

	@Test
	void aRedisStarterMovesToValkeyWithItsKeysAndItsBackupsRestoreThereButNeverBack() throws Exception {
		assertThat(operator().get("/api/v1/engines").json().findValuesAsString("engine")).contains("redis", "valkey");
		Provisioned redis = provision("valkey-starter", "redis-starter-256");
		String id = redis.id();
		ApiClient owner = withToken(redis.token());
		assertThat(redis.database().path("engine").asString()).isEqualTo("redis");
		assertThat(redis.database().path("version").asString()).isEqualTo(TestEngines.INSTALLED);
		try (Jedis jedis = connect(redis.url().getPort(), redis.password())) {
			for (int i = 0; i < 300; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
		}
		JsonNode redisBackup = backUp(id);
		assertThat(redisBackup.path("status").asString()).isEqualTo("done");

		// a client writing all along: its writes wait while the node restarts, none is lost
		int written = writeDuring(redis.url(), redis.password(), () -> completeJob("engineUpgradeJob",
				owner.post("/api/v1/databases/" + id + "/upgrade",
						"{\"engine\": \"valkey\", \"version\": \"" + TestEngines.VALKEY_VERSION + "\"}"),
				owner));
		try (Jedis jedis = connect(redis.url().getPort(), redis.password())) {
			Map<String, String> server = RedisInfo.fields(jedis.info("server"));
			assertThat(server.get("valkey_version")).isEqualTo(TestEngines.VALKEY_VERSION);
			assertThat(jedis.dbSize()).isEqualTo(300 + written);
			assertThat(jedis.get("key-299")).isEqualTo("value-299");
		}
		JsonNode database = owner.get("/api/v1/databases/" + id).json();
		assertThat(database.path("engine").asString()).isEqualTo("valkey");
		assertThat(database.path("version").asString()).isEqualTo(TestEngines.VALKEY_VERSION);

		// the way back: Valkey 8 wrote RDB 11, which Redis 7.0 cannot load
		ApiClient.Response back = owner.post("/api/v1/databases/" + id + "/upgrade",
				"{\"engine\": \"redis\", \"version\": \"" + TestEngines.INSTALLED + "\"}");
		assertThat(back.status()).as(back.body()).isEqualTo(422);
		assertThat(back.text("message")).contains("writes RDB 11, which Redis " + TestEngines.INSTALLED + " cannot read");

		// a backup on Valkey records Valkey, not the Redis version it shows clients
		JsonNode valkeyBackup = backUp(id);
		assertThat(valkeyBackup.path("status").asString()).as(valkeyBackup.toString()).isEqualTo("done");
		String valkeyBackupId = valkeyBackup.path("id").asString();
		assertThat(this.jdbc.sql("select redis_version || ' ' || rdb_version from backups where id = ?")
			.param(valkeyBackupId).query(String.class).single()).isEqualTo(TestEngines.VALKEY + " 11");
		var archive = owner.getBytes("/api/v1/databases/" + id + "/backups/" + valkeyBackupId + "/archive");
		assertThat(archive.statusCode()).isEqualTo(200);
		assertThat(archive.body().length).isEqualTo(valkeyBackup.path("size").asLong());

		// the Redis backup restores in place into Valkey
		restore(owner, id, "{\"backup\": \"" + redisBackup.path("id").asString() + "\", \"target\": \"in_place\"}");
		try (Jedis jedis = connect(redis.url().getPort(), redis.password())) {
			assertThat(jedis.dbSize()).isEqualTo(300);
		}

		// the Valkey backup into a Redis 7.0 database: refused before the target is asked to load anything
		Provisioned redisTarget = provision("valkey-into-redis", "redis-starter-256");
		try (Jedis jedis = connect(redisTarget.url().getPort(), redisTarget.password())) {
			jedis.set("kept", "yes");
			jedis.del("kept");
		}
		ApiClient.Response refused = operator().post("/api/v1/databases/" + id + "/restores", "{\"backup\": \""
				+ valkeyBackupId + "\", \"target\": \"new_database\", \"app\": \"valkey-into-redis\"}");
		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.text("message")).contains("RDB 11 is newer than the 10 that Redis " + TestEngines.INSTALLED + " reads");

		// provisioned on Valkey at once; the Redis backup restores into it as a new database
		ApiClient.Response created = operator().post("/api/v1/databases",
				"{\"app\": \"valkey-new\", \"plan\": \"redis-starter-256\", \"engine\": \"valkey\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String valkeyId = created.text("id");
		JsonNode valkeyDatabase = awaitRunning(valkeyId);
		assertThat(operator().get("/api/v1/databases/" + valkeyId).json().path("engine").asString()).isEqualTo("valkey");
		URI valkeyUrl = URI.create(valkeyDatabase.path("env").path("REDIS_URL").asString());
		String valkeyPassword = valkeyUrl.getUserInfo().substring(valkeyId.length() + 1);
		restore(operator(), id, "{\"backup\": \"" + redisBackup.path("id").asString()
				+ "\", \"target\": \"new_database\", \"app\": \"valkey-new\"}");
		try (Jedis jedis = connect(valkeyUrl.getPort(), valkeyPassword)) {
			assertThat(RedisInfo.fields(jedis.info("server")).get("valkey_version")).isEqualTo(TestEngines.VALKEY_VERSION);
			assertThat(jedis.dbSize()).isEqualTo(300);
		}
		ApiClient.Response unknown = operator().post("/api/v1/databases",
				"{\"app\": \"valkey-nine\", \"plan\": \"redis-starter-256\", \"engine\": \"valkey\", \"version\": \"9.0.0\"}");
		assertThat(unknown.status()).as(unknown.body()).isEqualTo(422);
		assertThat(unknown.text("message")).contains("Valkey 9.0.0 is not offered");
		for (String database1 : List.of(id, redisTarget.id(), valkeyId)) {
			assertThat(operator().delete("/api/v1/databases/" + database1).status()).isEqualTo(200);
		}
	}

	@Test
	void aRedisBusinessDatabaseMovesToValkeyReplicaFirstWithoutLosingAnAcknowledgedWrite() throws Exception {
		Provisioned redis = provision("valkey-business", "redis-business-256");
		String id = redis.id();
		List<Integer> dataPorts = new ArrayList<>();
		for (JsonNode node : redis.database().path("nodes")) {
			if (node.path("role").asString().matches("primary|replica")) {
				dataPorts.add(node.path("port").asInt());
			}
		}
		try (Jedis jedis = connect(redis.url().getPort(), redis.password())) {
			for (int i = 0; i < 1000; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
		}
		int written = writeDuring(redis.url(), redis.password(), () -> completeJob("engineUpgradeJob",
				operator().post("/api/v1/databases/" + id + "/upgrade",
						"{\"engine\": \"valkey\", \"version\": \"" + TestEngines.VALKEY_VERSION + "\"}"),
				operator()));
		try (Jedis jedis = connect(redis.url().getPort(), redis.password())) {
			for (int i = 0; i < written; i++) {
				assertThat(jedis.get("written-" + i)).as("written-" + i).isEqualTo(String.valueOf(i));
			}
			assertThat(jedis.dbSize()).isEqualTo(1000 + written);
		}
		for (int port : dataPorts) {
			await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
				try (Jedis jedis = connect(port, redis.password())) {
					Map<String, String> replication = RedisInfo.fields(jedis.info("replication"));
					return ("master".equals(replication.get("role")) || "up".equals(replication.get("master_link_status")))
							&& jedis.dbSize() == 1000 + written;
				}
			});
			try (Jedis jedis = connect(port, redis.password())) {
				assertThat(RedisInfo.fields(jedis.info("server")).get("valkey_version")).isEqualTo(TestEngines.VALKEY_VERSION);
			}
		}
		JsonNode database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("engine").asString()).isEqualTo("valkey");
		// a backup of the Valkey replica, found through Redis' sentinels monitoring a Valkey primary
		JsonNode backup = backUp(id);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		assertThat(backup.path("node").path("role").asString()).isEqualTo("replica");
		ApiClient.Response back = operator().post("/api/v1/databases/" + id + "/upgrade",
				"{\"version\": \"redis " + TestEngines.INSTALLED + "\"}");
		assertThat(back.status()).as(back.body()).isEqualTo(422);
		assertThat(back.text("message")).contains("cannot read");
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	/** Runs the action while a client writes through the URL; answers how many writes were acknowledged. */
	private static int writeDuring(URI url, String password, ThrowingRunnable action) throws Exception {
		EngineUpgradeTest.Writer writer = new EngineUpgradeTest.Writer(url.getPort(), password);
		Thread thread = new Thread(writer, "valkey-test-writer");
		thread.start();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> writer.written.get() > 50);
			action.run();
			int before = writer.written.get();
			await().atMost(Duration.ofSeconds(30)).until(() -> writer.written.get() > before + 50);
		}
		finally {
			writer.running.set(false);
			thread.join(10_000);
		}
		assertThat(writer.failure).isNull();
		return writer.written.get();
	}

	@FunctionalInterface
	private interface ThrowingRunnable {

		void run() throws Exception;

	}

}
