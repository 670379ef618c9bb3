package io.coffer.housekeeping;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention against the real catalogue and object storage: 13 manual backups of a starter database
 * keep the newest 10; the three others go, object then row, even when a run stops between steps.
 */
class ExpireBackupsTaskTest extends IntegrationTest {

	@Autowired
	ExpireBackupsTask task;

	@Autowired
	DatabaseRepository databases;

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PitrRepository pitr;

	@Test
	void expiredBackupsLoseTheirObjectThenTheirRow() throws IOException {
		String db = databaseWithManualBackups(13);

		this.task.run();

		assertThat(this.backups.findAll(db)).extracting(Backup::id).containsExactlyElementsOf(ids(db, 12, 3));
		assertThat(objects(db)).containsExactlyInAnyOrderElementsOf(keys(db, 12, 3));
	}

	@Test
	void aRunStoppedAfterMarkingIsFinishedByTheNext() throws IOException {
		String db = databaseWithManualBackups(13);

		this.task.markExpired();
		// stopped here: the rows are marked (hidden from the API), their objects still there
		assertThat(this.backups.findAll(db)).hasSize(10);
		assertThat(objects(db)).hasSize(13);
		assertThat(this.jdbc.sql("select count(*) from backups where database_id = ?").param(db).query(Integer.class).single())
			.isEqualTo(13);

		this.task.run();

		assertThat(objects(db)).containsExactlyInAnyOrderElementsOf(keys(db, 12, 3));
		assertThat(this.jdbc.sql("select count(*) from backups where database_id = ?").param(db).query(Integer.class).single())
			.isEqualTo(10);
	}

	@Test
	void aRunStoppedAfterDeletingAnObjectIsFinishedByTheNext() throws IOException {
		String db = databaseWithManualBackups(11);
		this.task.markExpired();
		// stopped after the object of the oldest was deleted, before its row
		this.store.delete(db + "/m-0");

		this.task.run();

		assertThat(this.jdbc.sql("select count(*) from backups where database_id = ?").param(db).query(Integer.class).single())
			.isEqualTo(10);
		assertThat(objects(db)).containsExactlyInAnyOrderElementsOf(keys(db, 10, 1));
	}

	@Test
	void theOnlySuccessfulBackupOfADatabaseIsKeptWhateverItsAge() throws IOException {
		String db = databaseWithManualBackups(0);
		insert(db, "old-periodic", Instant.now().minus(400, ChronoUnit.DAYS), Backup.PERIODIC);

		this.task.run();

		assertThat(this.backups.findAll(db)).extracting(Backup::id).containsExactly(db + "-old-periodic");
	}

	@Test
	void backupsFoundDamagedNeverMakeRetentionDeleteTheLastGoodOne() throws IOException {
		// a starter database keeps 10 manual backups: the newest 10 were all found damaged
		String db = databaseWithManualBackups(11);
		this.jdbc.sql("update backups set integrity_error = 'failed authentication at segment 0' where database_id = ?"
				+ " and id <> ?").params(db, db + "-m-0").update();

		this.task.run();

		assertThat(this.backups.findAll(db)).extracting(Backup::id).containsExactlyElementsOf(ids(db, 10, 0));
		assertThat(objects(db)).contains(db + "/m-0");
	}

	@Test
	void expiringABaseExpiresTheArchivedStreamThatFollowsIt() throws IOException {
		String db = databaseWithManualBackups(0);
		Instant oldBaseAt = Instant.now().minus(400, ChronoUnit.DAYS);
		Instant newBaseAt = Instant.now().minus(1, ChronoUnit.DAYS);
		insertBase(db, "old-base", oldBaseAt, 1000);
		insertBase(db, "new-base", newBaseAt, 5000);
		String followsOld = insertSegment(db, 1001, oldBaseAt.plusSeconds(60));
		String followsNew = insertSegment(db, 5001, newBaseAt.plusSeconds(60));
		this.pitr.insertGap(db, new PitrRepository.Gap(oldBaseAt.plusSeconds(60), newBaseAt, "node restarted",
				db + "-new-base"));

		ExpireBackupsTask.Result result = this.task.run();

		assertThat(this.backups.findAll(db)).extracting(Backup::id).containsExactly(db + "-new-base");
		assertThat(this.pitr.segments(db)).extracting(PitrRepository.Segment::objectKey).containsExactly(followsNew);
		assertThat(this.store.list(PitrRepository.OBJECT_PREFIX + db + "/")).extracting(BlobInfo::key)
			.containsExactly(followsNew);
		assertThat(this.store.list(PitrRepository.OBJECT_PREFIX + db + "/")).extracting(BlobInfo::key)
			.doesNotContain(followsOld);
		assertThat(this.pitr.gaps(db)).isEmpty();
		assertThat(result.segments()).isEqualTo(1);
	}

	@Test
	void theStreamAfterTheOldestBaseLeftIsKept() throws IOException {
		String db = databaseWithManualBackups(0);
		Instant baseAt = Instant.now().minus(2, ChronoUnit.HOURS);
		insertBase(db, "base", baseAt, 1000);
		String segment = insertSegment(db, 1001, baseAt.plusSeconds(60));
		this.pitr.insertGap(db, new PitrRepository.Gap(baseAt.plusSeconds(90), baseAt.plusSeconds(120), "storage down",
				null));

		this.task.run();

		assertThat(this.pitr.segments(db)).extracting(PitrRepository.Segment::objectKey).containsExactly(segment);
		assertThat(this.store.list(PitrRepository.OBJECT_PREFIX + db + "/")).hasSize(1);
		assertThat(this.pitr.gaps(db)).hasSize(1);
	}

	/** A base of point-in-time recovery (method archive) at offset {@code offset} of history "h1". */
	private void insertBase(String db, String id, Instant createdAt, long offset) throws IOException {
		insert(db, id, createdAt, Backup.ARCHIVE);
		this.jdbc.sql("update backups set replication_id = 'h1', replication_offset = ? where id = ?")
			.params(offset, db + "-" + id)
			.update();
	}

	/** A segment of 100 bytes from {@code startOffset}, its commands arriving within a second of {@code at}. */
	private String insertSegment(String db, long startOffset, Instant at) throws IOException {
		String key = PitrRepository.OBJECT_PREFIX + db + "/h1/" + startOffset + ".seg.enc";
		try (BlobUpload upload = this.store.openUpload(key)) {
			upload.write("segment".getBytes(StandardCharsets.UTF_8));
		}
		this.pitr.insertSegment(new PitrRepository.Segment(0, db, "h1", startOffset, startOffset + 99, at,
				at.plusSeconds(1), 3, key, 7, "0".repeat(64), "k1"));
		return key;
	}

	/** Manual backups m-0 (oldest) … m-(count-1), one a day, each with a small object. */
	private String databaseWithManualBackups(int count) throws IOException {
		String db = "retention-" + UUID.randomUUID().toString().substring(0, 8);
		this.databases.insert(new Database(db, db, null, "registered", "running", "stream", null, false, null,
				Instant.now(), List.of()));
		for (int i = 0; i < count; i++) {
			insert(db, "m-" + i, Instant.now().minus(count - i, ChronoUnit.DAYS), Backup.MANUAL);
		}
		return db;
	}

	private void insert(String db, String id, Instant createdAt, String method) throws IOException {
		String key = db + "/" + id;
		this.jdbc.sql("""
				insert into backups (id, database_id, created_at, name, status, method, object_key, archive_size)
				values (?, ?, ?, ?, 'done', ?, ?, 5)
				""").params(db + "-" + id, db, Timestamp.from(createdAt), id + ".tar.gz", method, key).update();
		try (BlobUpload upload = this.store.openUpload(key)) {
			upload.write("bytes".getBytes(StandardCharsets.UTF_8));
		}
	}

	private List<String> objects(String db) throws IOException {
		return this.store.list(db + "/").stream().map(BlobInfo::key).toList();
	}

	/** Newest first: from m-newest down to m-oldest included. */
	private static List<String> ids(String db, int newest, int oldest) {
		List<String> ids = new ArrayList<>();
		for (int i = newest; i >= oldest; i--) {
			ids.add(db + "-m-" + i);
		}
		return ids;
	}

	private static List<String> keys(String db, int newest, int oldest) {
		return ids(db, newest, oldest).stream().map((id) -> db + "/" + id.substring(db.length() + 1)).toList();
	}

}
