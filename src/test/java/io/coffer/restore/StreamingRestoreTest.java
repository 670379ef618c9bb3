package io.coffer.restore;

import java.util.Random;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code "verify_before_load": false} the archive is checked while it streams into the target. A
 * damage found late, after most of the dump was sent, still leaves the target with its own data: the
 * last bytes of the dump are held back until the archive is known good, and Redis discards a
 * transfer it did not receive whole.
 */
class StreamingRestoreTest extends IntegrationTest {

	private static final String PASSWORD = "streaming-restore-secret";

	@Autowired
	BlobStore store;

	@Autowired
	BackupRepository backups;

	@Test
	void damageInTheLastSegmentLeavesTheTargetWithItsOwnData() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			try (Jedis jedis = redis.jedis()) {
				// random values do not compress: the archive spans several 1 MiB encrypted segments
				Random random = new Random(42);
				for (int i = 0; i < 48; i++) {
					byte[] value = new byte[64 * 1024];
					random.nextBytes(value);
					jedis.set(("random:" + i).getBytes(), value);
				}
			}
			String db = registerDatabase("restore-streaming", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			Backup backup = this.backups.find(db, backupId).orElseThrow();
			assertThat(backup.storedSize()).isGreaterThan(2L * 1024 * 1024);
			RestoreSupport.flipOneByte(this.store, backup.objectKey(), backup.storedSize() - 100);
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
				jedis.set("current", "data");
			}
			String digestBefore = redis.digest();

			ApiClient.Response launched = RestoreSupport.start(operator(), db,
					"{\"backup\": \"" + backupId + "\", \"verify_before_load\": false}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).isEqualTo("error");
			assertThat(finished.path("error").asString()).as(finished.toString()).containsIgnoringCase("authentic");
			assertThat(finished.path("target_state").asString())
				.startsWith("the target did not receive the whole dump");
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
			assertThat(redis.digest()).isEqualTo(digestBefore);
			try (Jedis jedis = redis.jedis()) {
				// a failed load gives the target its own back too, not the listener's user and secret
				assertThat(jedis.configGet("masteruser").get("masteruser")).isEmpty();
				assertThat(jedis.configGet("masterauth").get("masterauth")).isEqualTo(PASSWORD);
			}
		}
	}


}
