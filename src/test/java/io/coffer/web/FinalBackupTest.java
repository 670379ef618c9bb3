package io.coffer.web;

import java.io.InputStream;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code DELETE /databases/{db}}: a last backup first, and nothing deleted when it fails. */
class FinalBackupTest extends IntegrationTest {

	private static final String PASSWORD = "final-secret";

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Test
	void aDeletionTakesAFinalBackupFirstAndSaysWhich() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			redis.populate(300, "last-words", 64);
			ApiClient.Response created = registerDatabase("final-kept", PASSWORD, "stream", redis.port());
			String db = created.text("id");

			ApiClient.Response deleted = withToken(created.text("token")).delete("/api/v1/databases/" + db);

			assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
			assertThat(deleted.text("status")).isEqualTo("deleted");
			String finalBackup = deleted.text("final_backup");
			assertThat(finalBackup).isNotBlank();
			Backup backup = this.backups.find(db, finalBackup).orElseThrow();
			assertThat(backup.status()).isEqualTo(RunStatus.DONE);
			assertThat(backup.method()).isEqualTo("final");
			assertThat(backup.keysPerDb()).containsEntry("db0", 300L);
			try (InputStream stored = this.store.read(backup.objectKey())) {
				assertThat(sha256(stored.readAllBytes()))
					.isEqualTo(backup.storedSha256());
			}
			assertThat(operator().get("/api/v1/databases/" + db).status()).isEqualTo(404);
		}
	}

	@Test
	void finalBackupFalseDeletesWithoutOne() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			String db = registerDatabase("final-skipped", PASSWORD, "stream", redis.port()).text("id");

			ApiClient.Response deleted = operator().delete("/api/v1/databases/" + db + "?final_backup=false");

			assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
			assertThat(deleted.text("status")).isEqualTo("deleted");
			assertThat(deleted.json().has("final_backup")).isTrue();
			assertThat(deleted.json().path("final_backup").isNull()).isTrue();
			assertThat(this.backups.findAll(db)).isEmpty();
		}
	}

	@Test
	void aFailedFinalBackupDeletesNothingAndSaysWhy() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			redis.populate(50, "precious", 16);
			String db = registerDatabase("final-failed", PASSWORD, "stream", redis.port()).text("id");
			redis.stop();

			ApiClient.Response refused = operator().delete("/api/v1/databases/" + db);

			assertThat(refused.status()).as(refused.body()).isEqualTo(422);
			assertThat(refused.text("error")).isEqualTo("final_backup_failed");
			assertThat(refused.text("message")).contains("the database was not deleted").contains("final_backup=false");
			ApiClient.Response still = operator().get("/api/v1/databases/" + db);
			assertThat(still.status()).isEqualTo(200);
			assertThat(still.text("status")).isEqualTo("running");
			assertThat(this.backups.findAll(db)).singleElement().satisfies((backup) -> {
				assertThat(backup.method()).isEqualTo("final");
				assertThat(backup.status()).isEqualTo(RunStatus.ERROR);
				assertThat(refused.text("message")).contains(backup.id()).contains(backup.error());
			});

			redis.restart();
			ApiClient.Response deleted = operator().delete("/api/v1/databases/" + db);

			assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
			assertThat(this.backups.find(db, deleted.text("final_backup")).orElseThrow().status())
				.isEqualTo(RunStatus.DONE);
		}
	}

}
