package io.coffer.housekeeping;

import io.coffer.catalog.InstanceTimeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.coffer.backup.InterruptedBackups;
import io.coffer.backup.RunningBackups;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.system.CofferInstance;
import io.coffer.testsupport.IntegrationTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HousekeepingTest extends IntegrationTest {

	@Autowired
	InterruptedBackups recover;

	@Autowired
	InstanceTimeout instanceTimeout;

	@Autowired
	SweepOrphanObjectsTask sweep;

	@Autowired
	DatabaseRepository databases;

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	CofferInstance instance;

	@Autowired
	HousekeepingProperties properties;

	@Autowired
	RunningBackups running;

	@Test
	void backupsOfAStoppedInstanceAreInterruptedAndTheirUploadsAborted() throws IOException {
		String db = database();
		String gone = insert(db, "gone", "running", "instance-that-stopped", Instant.now().minus(10, ChronoUnit.MINUTES));
		BlobUpload upload = this.store.openUpload(db + "/gone");
		upload.write(new byte[5 * 1024 * 1024 + 1]);
		// like a stopped instance's, the upload has no part in flight when recovery comes: S3Proxy
		// refuses to abort an upload while it is still receiving one of its parts
		upload.flush();
		assertThat(this.store.pendingUploads(db + "/")).hasSize(1);
		String db2 = database();
		// another instance, alive: it checked in with the cluster a moment ago
		this.jdbc.sql("""
				insert into qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval)
				values ('quartzScheduler', 'instance-alive', ?, 7500)""").param(System.currentTimeMillis()).update();
		String alive = insert(db2, "alive", "running", "instance-alive", Instant.now().minus(10, ChronoUnit.MINUTES));
		// a backup this instance's threads run: recovery leaves it alone (one they do not run was lost)
		String db3 = database();
		this.running.started(db3 + "-mine");
		String mine = insert(db3, "mine", "running", this.instance.id(), Instant.now());
		try {
			this.recover.recover(this.instanceTimeout.stoppedNow());
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				this.recover.recover(this.instanceTimeout.stoppedNow());
				return this.store.pendingUploads(db + "/").isEmpty();
			});

			Backup interrupted = this.backups.find(db, gone).orElseThrow();
			assertThat(interrupted.status()).isEqualTo(RunStatus.ERROR);
			assertThat(interrupted.error()).isEqualTo("interrupted: the instance running it stopped");
			assertThat(this.backups.find(db2, alive).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
			assertThat(this.jdbc.sql("select status from backups where id = ?").param(mine).query(String.class).single())
				.isEqualTo("running");
		}
		finally {
			this.jdbc.sql("delete from qrtz_scheduler_state where instance_name = 'instance-alive'").update();
			this.backups.markError(alive, "test over", Instant.now());
			this.backups.markError(mine, "test over", Instant.now());
			this.running.ended(mine);
			try {
				upload.abort();
			}
			catch (IOException ex) {
				// already aborted by the task
			}
		}
	}

	@Test
	void orphansAreReportedThenCleanedAfterTheGrace() throws IOException {
		String db = database();
		String lost = insert(db, "lost", "done", null, Instant.now().minus(2, ChronoUnit.DAYS));
		String fresh = insert(db, "fresh-lost", "done", null, Instant.now());
		put(db + "/kept", db, "kept");
		put(db + "/no-row", null, null);

		SweepOrphanObjectsTask.Result first = this.sweep.run();

		assertThat(first.orphanObjects()).isGreaterThanOrEqualTo(1);
		assertThat(objects(db)).contains(db + "/no-row", db + "/kept");
		Backup marked = this.backups.find(db, lost).orElseThrow();
		assertThat(marked.status()).isEqualTo(RunStatus.ERROR);
		assertThat(marked.error()).isEqualTo("object missing from storage");
		assertThat(this.backups.find(db, fresh).orElseThrow().status()).isEqualTo(RunStatus.DONE);

		// two days later, the object without a row is older than the grace
		Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
		new SweepOrphanObjectsTask(this.backups, this.store, io.coffer.storage.CopyStore.none(), this.properties, later,
				new SimpleMeterRegistry())
			.run();

		assertThat(objects(db)).containsExactly(db + "/kept");
		assertThat(this.backups.find(db, fresh).orElseThrow().status()).isEqualTo(RunStatus.ERROR);
	}

	private String database() {
		String db = "housekeeping-" + UUID.randomUUID().toString().substring(0, 8);
		this.databases.insert(new Database(db, db, null, "registered", "running", "stream", null, false, null,
				Instant.now(), List.of()));
		return db;
	}

	private String insert(String db, String name, String status, String instanceId, Instant createdAt) {
		String id = db + "-" + name;
		this.jdbc.sql("""
				insert into backups (id, database_id, created_at, name, status, method, object_key, instance_id)
				values (?, ?, ?, ?, ?, 'manual', ?, ?)
				""").params(id, db, Timestamp.from(createdAt), name + ".tar.gz", status, db + "/" + name, instanceId).update();
		return id;
	}

	private void put(String key, String db, String name) throws IOException {
		if (db != null) {
			insert(db, name, "done", null, Instant.now().minus(3, ChronoUnit.DAYS));
		}
		try (BlobUpload upload = this.store.openUpload(key)) {
			upload.write("bytes".getBytes(StandardCharsets.UTF_8));
		}
	}

	private List<String> objects(String db) throws IOException {
		return this.store.list(db + "/").stream().map(BlobInfo::key).toList();
	}

}
