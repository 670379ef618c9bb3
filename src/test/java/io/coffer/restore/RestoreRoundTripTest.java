package io.coffer.restore;

import java.util.Map;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Typed data with TTLs in several logical databases → backup → FLUSHALL → restore in place through
 * the API → every key, type, value and TTL is back, loaded by Redis from Coffer's replication stream.
 */
class RestoreRoundTripTest extends IntegrationTest {

	private static final String PASSWORD = "restore-secret";

	@Test
	void aRestoreInPlaceBringsBackEveryKeyTypeValueAndTtl() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			ApiClient.Response created = registerDatabase("restore-in-place", PASSWORD, "stream", redis.port());
			String db = created.text("id");
			ApiClient owner = withToken(created.text("token"));
			JsonNode backup = backUp(db);
			assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
			Map<Integer, Map<String, String>> expected;
			try (Jedis jedis = redis.jedis()) {
				expected = RedisDataset.snapshot(jedis);
				jedis.flushAll();
				jedis.set("written-after-the-backup", "gone after the restore");
			}

			ApiClient.Response launched = RestoreSupport.start(owner, db,
					"{\"backup\": \"" + backup.path("id").asString() + "\", \"target\": \"in_place\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			assertThat(launched.text("status")).isIn("scheduled", "running");
			assertThat(launched.text("backup")).isEqualTo(backup.path("id").asString());
			assertThat(launched.text("target")).isEqualTo("in_place");
			JsonNode finished = awaitRestoreFinished(owner, db, launched.text("id"));

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			try (Jedis jedis = redis.jedis()) {
				assertThat(RedisDataset.differences(expected, RedisDataset.snapshot(jedis))).isEmpty();
			}
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
			JsonNode checks = finished.path("checks");
			assertThat(checks.path("archive").path("authenticated").asBoolean()).isTrue();
			assertThat(checks.path("dump").path("crc64").asString()).isEqualTo("ok");
			assertThat(checks.path("keys").path("equal").asBoolean()).isTrue();
			assertThat(checks.path("keys").path("expected").path("db4").asLong()).isEqualTo(207);
			assertThat(checks.path("target").path("node").asString()).isEqualTo(redis.address());
		}
	}

	@Test
	void latestIsTheDefaultBackupAndAnUnknownBackupIsNotFound() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			try (Jedis jedis = redis.jedis()) {
				jedis.set("only", "key");
			}
			String db = registerDatabase("restore-latest", PASSWORD, "stream", redis.port()).text("id");
			assertThat(RestoreSupport.start(operator(), db, "{\"backup\": \"latest\"}").status()).isEqualTo(404);
			backUp(db);
			try (Jedis jedis = redis.jedis()) {
				jedis.set("only", "changed");
			}
			assertThat(RestoreSupport.start(operator(), db, "{\"backup\": \"0000\"}").status()).isEqualTo(404);
			ApiClient.Response launched = RestoreSupport.start(operator(), db, "{}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));
			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			try (Jedis jedis = redis.jedis()) {
				assertThat(jedis.get("only")).isEqualTo("key");
			}
			assertThat(operator().get("/api/v1/databases/" + db + "/restores/nope").status()).isEqualTo(404);
			assertThat(withToken("wrong").get("/api/v1/databases/" + db + "/restores/" + launched.text("id")).status())
				.isEqualTo(401);
		}
	}

}
