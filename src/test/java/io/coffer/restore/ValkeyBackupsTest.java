package io.coffer.restore;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RdbFiles;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Registered Valkey databases: a primary and a replica watched by Valkey's own sentinels, backed up from the
 * replica in {@code stream} mode and from a lone node in {@code file} mode; the backups record Valkey, are
 * drilled on Valkey, restore in place, and an imported Valkey dump is refused by a Redis 7.0 target.
 */
class ValkeyBackupsTest extends IntegrationTest {

	private static final String PASSWORD = "valkey-secret";

	private static final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	RestoreDrillTask drill;

	@Autowired
	JdbcClient jdbc;

	@Test
	void valkeyBackupsInBothModesRestoreAndDrillOnValkeyAndARedisTargetRefusesThem(@TempDir Path folder)
			throws Exception {
		try (RedisTopology valkey = RedisTopology.primaryWithReplica()
			.servers("valkey-server", "valkey-server")
			.password(PASSWORD)
			.withSentinels(3)
			.start();
				RedisServerProcess lone = RedisServerProcess.options().server("valkey-server").password(PASSWORD).start();
				RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(valkey.primary());
			RedisDataset.write(lone);
			Map<Integer, Map<String, String>> expected = RestoreFaultsTest.snapshot(valkey.primary());
			Map<Integer, Map<String, String>> expectedLone = RestoreFaultsTest.snapshot(lone);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> RestoreFaultsTest.snapshot(valkey.replica()).equals(expected));
			String sentinelDb = RestoreSupport.registerWithSentinels(operator(), valkey, "valkey-sentinels", PASSWORD);
			String fileDb = registerDatabase("valkey-file", PASSWORD, "file", lone.port()).text("id");
			String redisDb = registerDatabase("valkey-redis-target", PASSWORD, "stream", redis.port()).text("id");

			// a registered database shows the engine its primary reports
			JsonNode shown = operator().get("/api/v1/databases/" + sentinelDb).json();
			assertThat(shown.path("engine").asString()).isEqualTo("valkey");
			assertThat(shown.path("version").asString()).isEqualTo(TestEngines.VALKEY_VERSION);
			assertThat(operator().get("/api/v1/databases/" + redisDb).json().path("engine").asString()).isEqualTo("redis");

			JsonNode streamed = backUp(sentinelDb);
			assertThat(streamed.path("status").asString()).as(streamed.toString()).isEqualTo("done");
			assertThat(streamed.path("node").path("role").asString()).isEqualTo("replica");
			JsonNode filed = backUp(fileDb);
			assertThat(filed.path("status").asString()).as(filed.toString()).isEqualTo("done");
			for (JsonNode backup : List.of(streamed, filed)) {
				assertThat(this.jdbc.sql("select redis_version || ' ' || rdb_version from backups where id = ?")
					.param(backup.path("id").asString())
					.query(String.class)
					.single()).isEqualTo(TestEngines.VALKEY + " 11");
			}

			// drilled on a scratch Valkey: Redis 7.0 could not load them
			RestoreDrillTask.Result drilled = this.drill.drillDatabases(List.of(sentinelDb, fileDb));
			assertThat(drilled.passed()).containsExactlyInAnyOrder(streamed.path("id").asString(),
					filed.path("id").asString());

			// restored in place, through the sentinels' primary
			try (Jedis jedis = valkey.primary().jedis()) {
				jedis.set("written-after-the-backup", "gone after the restore");
			}
			ApiClient.Response launched = RestoreSupport.start(operator(), sentinelDb,
					"{\"backup\": \"" + streamed.path("id").asString() + "\", \"target\": \"in_place\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode restored = awaitRestoreFinished(operator(), sentinelDb, launched.text("id"));
			assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
			assertThat(RedisDataset.differences(expected, RestoreFaultsTest.snapshot(valkey.primary()))).isEmpty();

			// a Valkey backup, and a Valkey dump imported, into Redis 7.0: refused, the target untouched
			ApiClient.Response refused = RestoreSupport.start(operator(), sentinelDb, "{\"backup\": \""
					+ streamed.path("id").asString() + "\", \"target\": \"new_database\", \"target_database\": \""
					+ redisDb + "\"}");
			assertThat(refused.status()).as(refused.body()).isEqualTo(422);
			assertThat(refused.text("message"))
				.contains("RDB 11 is newer than the 10 that Redis " + TestEngines.INSTALLED + " reads");
			Path dump = RdbFiles.redisCliRdb(lone, folder.resolve("valkey.rdb"));
			HttpResponse<String> imported = upload(fileDb, dump);
			assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
			String importId = json.readTree(imported.body()).path("id").asString();
			ApiClient.Response importRefused = RestoreSupport.start(operator(), fileDb, "{\"backup\": \"" + importId
					+ "\", \"target\": \"new_database\", \"target_database\": \"" + redisDb + "\"}");
			assertThat(importRefused.status()).as(importRefused.body()).isEqualTo(422);
			assertThat(importRefused.text("message")).contains("RDB 11 is newer than the 10");
			try (Jedis jedis = redis.jedis()) {
				assertThat(jedis.dbSize()).isZero();
			}
			// the import restores into Valkey
			try (Jedis jedis = lone.jedis()) {
				jedis.flushAll();
			}
			ApiClient.Response intoValkey = RestoreSupport.start(operator(), fileDb,
					"{\"backup\": \"" + importId + "\", \"target\": \"in_place\"}");
			assertThat(intoValkey.status()).as(intoValkey.body()).isEqualTo(202);
			JsonNode importRestored = awaitRestoreFinished(operator(), fileDb, intoValkey.text("id"));
			assertThat(importRestored.path("status").asString()).as(importRestored.toString()).isEqualTo("done");
			assertThat(RedisDataset.differences(expectedLone, RestoreFaultsTest.snapshot(lone))).isEmpty();
			for (String db : List.of(sentinelDb, fileDb, redisDb)) {
				operator().delete("/api/v1/databases/" + db);
			}
		}
	}

	private HttpResponse<String> upload(String db, Path rdb) throws Exception {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/v1/databases/" + db + "/backups/import"))
			.header("Authorization", "Bearer " + CofferTestServices.ADMIN_TOKEN)
			.header("Content-Type", "application/octet-stream")
			.POST(HttpRequest.BodyPublishers.ofFile(rdb))
			.build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

}
