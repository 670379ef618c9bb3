package io.coffer.restore;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RdbCorpus;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The keys a backup records are those of its dump, counted as it is parsed: on a database taking
 * writes during the backup, and with keys that expire after it, the restore of a sound backup is
 * {@code done}, where counts taken from {@code INFO} before the snapshot made it end in error.
 */
class ExactKeyCountsTest extends IntegrationTest {

	private static final String PASSWORD = "exact-counts-secret";

	@Autowired
	BackupRepository backups;

	@Test
	void aBackupTakenDuringWritesRecordsItsDumpsKeysAndRestoresDone() throws Exception {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess copy = RedisServerProcess.startWithPassword(PASSWORD)) {
			source.populate(50_000, "steady", 64);
			try (Jedis jedis = source.jedis()) {
				for (int i = 0; i < 200; i++) {
					jedis.psetex("short-lived:" + i, 20_000, "gone soon");
				}
			}
			String db = registerDatabase("exact-source", PASSWORD, "stream", source.port()).text("id");
			registerDatabase("exact-copy", PASSWORD, "stream", copy.port());
			AtomicBoolean writing = new AtomicBoolean(true);
			AtomicLong written = new AtomicLong();
			Thread writer = new Thread(() -> {
				try (Jedis jedis = source.jedis()) {
					while (writing.get()) {
						jedis.set("written-during-backup:" + written.incrementAndGet(), "x");
					}
				}
			});
			writer.start();
			String backupId;
			try {
				await().atMost(Duration.ofSeconds(10)).until(() -> written.get() > 100);
				backupId = backUp(db).path("id").asString();
			}
			finally {
				writing.set(false);
				writer.join();
			}
			Backup backup = this.backups.find(db, backupId).orElseThrow();
			long recorded = backup.keysPerDb().get("db0");
			assertThat(recorded).isGreaterThan(50_200).isLessThan(50_200 + written.get() + 1);
			assertThat(this.backups.expiringKeys(backupId)).contains(Map.of("db0", 200L));
			// the short-lived keys expire before the restore
			await().atMost(Duration.ofSeconds(90))
				.until(() -> RdbCorpus.keyspace(source).get(0)[1] == 0);

			ApiClient.Response launched = RestoreSupport.start(operator(), db,
					"{\"backup\": \"" + backupId + "\", \"target\": \"new_database\", \"app\": \"exact-copy\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			Map<String, Long> expected = new TreeMap<>(Map.of("db0", recorded));
			assertThat(finished.path("checks").path("keys").path("expected").path("db0").asLong())
				.isEqualTo(expected.get("db0"));
			assertThat(finished.path("checks").path("keys").path("actual").path("db0").asLong())
				.isBetween(recorded - 200, recorded);
		}
	}

}
