package io.coffer.restore;

import java.time.Duration;
import java.util.Map;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a restore does when things go wrong: a tampered object never reaches the target; a target that
 * dies while loading ends the restore in error with a sentence about the state it may be in; a second
 * restore of a database is refused while one runs.
 */
class RestoreFaultsTest extends IntegrationTest {

	private static final String PASSWORD = "restore-faults-secret";

	@Autowired
	BlobStore store;

	@Autowired
	BackupRepository backups;

	@Test
	void aTamperedObjectFailsTheRestoreBeforeTheTargetIsTouched() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String db = registerDatabase("restore-tampered", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			Backup backup = this.backups.find(db, backupId).orElseThrow();
			RestoreSupport.flipOneByte(this.store, backup.objectKey(), backup.storedSize() / 2);
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
				jedis.set("current", "data");
			}
			String digestBefore = redis.digest();

			ApiClient.Response launched = RestoreSupport.start(operator(), db, "{\"backup\": \"" + backupId + "\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).isEqualTo("error");
			assertThat(finished.path("error").asString()).as(finished.toString()).containsIgnoringCase("authentic");
			assertThat(finished.path("target_state").asString()).isEqualTo(RestoreFailedException.UNTOUCHED);
			assertThat(redis.digest()).isEqualTo(digestBefore);
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
			assertThat(this.backups.find(db, backupId).orElseThrow().integrityError()).isNotNull();
		}
	}

	@Test
	void aTargetThatDiesWhileLoadingEndsTheRestoreInErrorSayingWhatStateItMayBeIn() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			redis.populate(20_000, "key", 16);
			String db = registerDatabase("restore-dies", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			// the load takes seconds, long enough to die in the middle
			RestoreSupport.slowLoading(redis);

			ApiClient.Response launched = RestoreSupport.start(operator(), db, "{\"backup\": \"" + backupId + "\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			ApiClient.Response second = RestoreSupport.start(operator(), db, "{\"backup\": \"" + backupId + "\"}");
			assertThat(second.status()).as(second.body()).isEqualTo(409);
			assertThat(second.text("error")).isEqualTo("restore_in_progress");
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(20))
				.ignoreExceptions()
				.until(() -> isLoading(redis));
			redis.kill();
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).isEqualTo("error");
			assertThat(finished.path("error").asString()).as(finished.toString()).contains(redis.address());
			assertThat(finished.path("target_state").asString()).startsWith("the target stopped while loading the dump")
				.contains("partial");
		}
	}


	/** INFO on a bare connection: a loading Redis refuses the harness client's CLIENT SETINFO. */
	private static boolean isLoading(RedisServerProcess redis) {
		DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
			.password(redis.password())
			.clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
			.socketTimeoutMillis(10_000)
			.build();
		try (Jedis jedis = new Jedis(redis.host(), redis.port(), config)) {
			return jedis.info("persistence").contains("loading:1");
		}
	}

	static Map<Integer, Map<String, String>> snapshot(RedisServerProcess redis) {
		try (Jedis jedis = redis.jedis()) {
			return RedisDataset.snapshot(jedis);
		}
	}

}
