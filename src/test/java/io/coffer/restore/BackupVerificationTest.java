package io.coffer.restore;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.List;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.EncryptedLayout;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * verifyBackupsJob against real storage: objects with a flipped byte, gone, or of the wrong size are found,
 * flagged and never "latest"; the budget lets a second run go on with the oldest unverified; retention keeps
 * the sound backup of a slot whose newest one was found damaged.
 */
class BackupVerificationTest extends IntegrationTest {

	private static final String PASSWORD = "verify-secret";

	@Autowired
	private BackupRepository backups;

	@Autowired
	private BlobStore store;

	@Autowired
	private BackupVerification verification;

	@Autowired
	private JdbcClient jdbc;

	@Test
	void damagedObjectsAreFlaggedAndNeverLatest() throws IOException {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String db = registerDatabase("verify-damage", PASSWORD, "stream", redis.port()).text("id");
			Backup sound = backup(db);
			Backup flipped = backup(db);
			Backup resized = backup(db);
			Backup removed = backup(db);
			// a byte of the encrypted body, as bit rot would; a byte more; the object gone
			RestoreSupport.flipOneByte(this.store, flipped.objectKey(), EncryptedLayout.headerLength() + 10);
			rewrite(resized.objectKey(), 1);
			this.store.delete(removed.objectKey());

			JsonNode job = verify(operator(), db);
			assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("completed");
			assertThat(job.path("exit_code").asString()).isEqualTo("DAMAGED_FOUND");
			assertThat(job.path("exit_description").asString()).startsWith("1 backups verified sound, 3 damaged");

			Backup checked = this.backups.find(db, sound.id()).orElseThrow();
			assertThat(checked.verifiedAt()).isNotNull();
			assertThat(checked.integrityError()).isNull();
			assertThat(error(db, flipped)).startsWith("verification: ").containsIgnoringCase("authentic");
			assertThat(error(db, resized)).contains("bytes, not the " + resized.storedSize() + " bytes recorded");
			assertThat(error(db, removed)).contains(removed.objectKey() + " is missing");
			for (Backup damaged : List.of(flipped, resized, removed)) {
				assertThat(this.backups.find(db, damaged.id()).orElseThrow().verifiedAt()).isNotNull();
			}

			// a backup found damaged is not read again, and keeps what was found
			String foundFlipped = error(db, flipped);
			JsonNode again = verify(operator(), db);
			assertThat(again.path("exit_code").asString()).isEqualTo("COMPLETED");
			assertThat(again.path("exit_description").asString()).startsWith("1 backups verified sound, 0 damaged");
			assertThat(error(db, flipped)).isEqualTo(foundFlipped);

			// never "latest": downloads (and restores and drills, which use the same choice) take the sound one
			assertThat(this.backups.findLatestGood(db)).map(Backup::id).hasValue(sound.id());
			HttpResponse<byte[]> latest = operator().getBytes("/api/v1/databases/" + db + "/backups/latest/archive");
			assertThat(latest.statusCode()).isEqualTo(200);
			assertThat(latest.body()).hasSize(sound.archiveSize().intValue());

			// the API shows both
			ApiClient.Response listed = operator().get("/api/v1/databases/" + db + "/backups");
			for (JsonNode row : listed.json()) {
				assertThat(row.path("verified_at").asString()).as(row.toString()).isNotBlank();
				assertThat(row.has("integrity_error")).isEqualTo(!row.path("id").asString().equals(sound.id()));
			}
		}
	}

	@Test
	void theBudgetLetsTheNextRunGoOnWithTheOldestUnverified() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String db = registerDatabase("verify-budget", PASSWORD, "stream", redis.port()).text("id");
			Backup oldest = backup(db);
			Backup middle = backup(db);
			Backup newest = backup(db);

			// a budget smaller than one backup: each run reads one, whole
			BackupVerification.Result first = this.verification.run(db, 1, null);
			assertThat(first.sound()).containsExactly(oldest.id());
			assertThat(first.left()).isEqualTo(2);
			assertThat(this.backups.find(db, middle.id()).orElseThrow().verifiedAt()).isNull();

			BackupVerification.Result second = this.verification.run(db, 1, null);
			assertThat(second.sound()).containsExactly(middle.id());
			assertThat(this.backups.find(db, newest.id()).orElseThrow().verifiedAt()).isNull();

			// then the newest, never verified, before the oldest again
			BackupVerification.Result third = this.verification.run(db, newest.storedSize() + 1, null);
			assertThat(third.sound()).containsExactly(newest.id(), oldest.id());

			// the schedule's runs pass over the backups verified within the last day
			BackupVerification.Result scheduled = this.verification.run(db, 0, Instant.now().minus(Duration.ofDays(1)));
			assertThat(scheduled.sound()).isEmpty();
			assertThat(scheduled.left()).isZero();
		}
	}

	@Test
	void retentionKeepsTheSoundBackupOfASlotWhoseNewestIsDamaged() throws IOException {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String db = registerDatabase("verify-retention", PASSWORD, "stream", redis.port()).text("id");
			Backup morning = backup(db);
			Backup evening = backup(db);
			RestoreSupport.flipOneByte(this.store, evening.objectKey(), EncryptedLayout.headerLength() + 10);
			assertThat(verify(operator(), db).path("exit_code").asString()).isEqualTo("DAMAGED_FOUND");

			// both became the periodic backups of a Sunday two weeks back, which the weekly rule keeps; the
			// seven days since have periodic backups of their own, which hold the daily slots
			LocalDate today = LocalDate.now(ZoneOffset.UTC);
			LocalDate sunday = today.minusDays(14).with(TemporalAdjusters.previousOrSame(DayOfWeek.SUNDAY));
			move(morning, sunday.atTime(2, 0).toInstant(ZoneOffset.UTC));
			move(evening, sunday.atTime(20, 0).toInstant(ZoneOffset.UTC));
			for (int day = 0; day < 7; day++) {
				this.jdbc.sql("""
						insert into backups (id, database_id, created_at, name, status, method, object_key, archive_size)
						values (?, ?, ?, ?, 'done', 'periodic', ?, 5)
						""").params(db + "-day-" + day, db, Timestamp.from(Instant.now().minus(day, ChronoUnit.DAYS)),
						"day-" + day + ".tar.gz", db + "/day-" + day).update();
			}

			ApiClient.Response launched = operator().post("/api/v1/jobs/retentionJob");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			assertThat(awaitJobEnd(operator(), launched.json().path("execution").asLong()).path("status").asString())
				.isEqualTo("completed");

			assertThat(this.backups.findAll(db)).extracting(Backup::id).contains(morning.id(), evening.id());
		}
	}

	private Backup backup(String db) {
		return this.backups.find(db, backUp(db).path("id").asString()).orElseThrow();
	}

	private String error(String db, Backup backup) {
		return this.backups.find(db, backup.id()).orElseThrow().integrityError();
	}

	private void move(Backup backup, Instant createdAt) {
		this.jdbc.sql("update backups set method = 'periodic', created_at = ? where id = ?")
			.params(Timestamp.from(createdAt), backup.id())
			.update();
	}

	/** The object again, with {@code extra} zero bytes at its end. */
	private void rewrite(String objectKey, int extra) throws IOException {
		byte[] stored;
		try (InputStream in = this.store.read(objectKey)) {
			stored = in.readAllBytes();
		}
		BlobUpload upload = this.store.openUpload(objectKey);
		upload.write(Arrays.copyOf(stored, stored.length + extra));
		upload.complete();
	}

	static JsonNode verify(ApiClient client, String db) {
		ApiClient.Response launched = client.post("/api/v1/jobs/verifyBackupsJob?database=" + db);
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		return awaitJobEnd(client, launched.json().path("execution").asLong());
	}

}
