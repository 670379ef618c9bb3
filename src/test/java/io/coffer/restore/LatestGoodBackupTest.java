package io.coffer.restore;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.EncryptedLayout;
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
 * "Latest" means the latest good backup: once a download found the newest backup damaged, the latest
 * download, the latest restore and the drill all take the one before it; when every backup is damaged,
 * "latest" is a 404 that says so.
 */
class LatestGoodBackupTest extends IntegrationTest {

	private static final String PASSWORD = "latest-good-secret";

	@Autowired
	private BackupRepository backups;

	@Autowired
	private BlobStore store;

	@Autowired
	private RestoreDrillTask drill;

	@Test
	void aBackupFoundDamagedIsSkippedByTheLatestDownloadRestoreAndDrill() throws IOException {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			try (Jedis jedis = redis.jedis()) {
				jedis.set("version", "good");
			}
			String db = registerDatabase("latest-good", PASSWORD, "stream", redis.port()).text("id");
			Backup good = this.backups.find(db, backUp(db).path("id").asString()).orElseThrow();
			try (Jedis jedis = redis.jedis()) {
				jedis.set("version", "newer");
			}
			Backup damaged = this.backups.find(db, backUp(db).path("id").asString()).orElseThrow();
			// a byte of its first segment, as bit rot would
			RestoreSupport.flipOneByte(this.store, damaged.objectKey(), EncryptedLayout.headerLength() + 10);
			// the user's download of the newest backup finds it damaged, and flags it
			HttpResponse<byte[]> first = operator().getBytes(archive(db, "latest"));
			assertThat(first.statusCode()).isEqualTo(422);
			assertThat(this.backups.find(db, damaged.id()).orElseThrow().integrityError()).isNotNull();

			HttpResponse<byte[]> latest = operator().getBytes(archive(db, "latest"));
			assertThat(latest.statusCode()).isEqualTo(200);
			assertThat(latest.headers().firstValue("Content-Disposition")).hasValueSatisfying(
					(disposition) -> assertThat(disposition).contains(good.name()));
			assertThat(latest.body()).hasSize(good.archiveSize().intValue());

			ApiClient.Response restore = RestoreSupport.start(operator(), db, "{\"backup\": \"latest\"}");
			assertThat(restore.status()).as(restore.body()).isEqualTo(202);
			assertThat(restore.text("backup")).isEqualTo(good.id());
			JsonNode restored = awaitRestoreFinished(operator(), db, restore.text("id"));
			assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
			try (Jedis jedis = redis.jedis()) {
				assertThat(jedis.get("version")).isEqualTo("good");
			}

			RestoreDrillTask.Result drilled = this.drill.drillDatabases(List.of(db));
			assertThat(drilled.passed()).containsExactly(good.id());
			assertThat(drilled.failed()).isEmpty();

			// once every backup is damaged, "latest" names none, and says why
			this.backups.recordIntegrityCheck(good.id(), "found damaged by the test", Instant.now());
			ApiClient.Response none = operator().get(archive(db, "latest"));
			assertThat(none.status()).isEqualTo(404);
			assertThat(none.text("error")).isEqualTo("no_backup");
			assertThat(none.text("message")).isEqualTo(db + " has no intact backup: its 2 done backups were found"
					+ " damaged (integrity_error) and skipped; take a new backup, or name a damaged one by its id to try"
					+ " it anyway");
			ApiClient.Response noRestore = RestoreSupport.start(operator(), db, "{\"backup\": \"latest\"}");
			assertThat(noRestore.status()).isEqualTo(404);
			assertThat(noRestore.text("error")).isEqualTo("no_backup");
			assertThat(noRestore.text("message")).contains("found damaged (integrity_error) and skipped");
			assertThat(this.drill.drillDatabases(List.of(db)).passed()).isEmpty();
			// a damaged backup named by its id is still the user's to try
			assertThat(operator().getBytes(archive(db, good.id())).statusCode()).isEqualTo(200);
		}
	}

	private static String archive(String db, String backup) {
		return "/api/v1/databases/" + db + "/backups/" + backup + "/archive";
	}


}
