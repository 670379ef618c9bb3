package io.coffer.backup;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wiring of {@code backupJob}, run on its own (not through the launcher) against a real Redis and the
 * real catalogue and store: its steps in their order, its exit status, and what it left in the catalogue.
 */
class BackupJobTest extends IntegrationTest {

	private static final String PASSWORD = "backup-job-secret";

	private static RedisServerProcess redis;

	@Autowired
	JobOperator jobOperator;

	@Autowired
	JobRepository jobRepository;

	@Autowired
	@Qualifier("backupJob")
	Job backupJob;

	@Autowired
	BackupRepository backups;

	@Autowired
	DatabaseRepository databases;

	@Autowired
	BlobStore store;

	private JobOperatorTestUtils jobs;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
		try (Jedis jedis = redis.jedis()) {
			for (int i = 0; i < 100; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
		}
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void jobUnderTest() {
		this.jobs = new JobOperatorTestUtils(this.jobOperator, this.jobRepository);
		this.jobs.setJob(this.backupJob);
	}

	@Test
	void aBackupSelectsItsNodeSnapshotsAndCommitsInThatOrderAndLeavesADoneRowWithItsObject() throws Exception {
		String db = registerDatabase("backup-job", PASSWORD, "stream", redis.port()).text("id");
		String backupId = scheduled(db);

		JobExecution execution = this.jobs.startJob(parameters(db, backupId));

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(execution.getExitStatus().getExitCode()).isEqualTo(ExitStatus.COMPLETED.getExitCode());
		assertThat(execution.getStepExecutions()).extracting(StepExecution::getStepName)
			.containsExactly("selectNodeStep", "snapshotStep", "commitStep");
		assertThat(execution.getStepExecutions()).extracting(StepExecution::getStatus)
			.containsOnly(BatchStatus.COMPLETED);
		Backup done = this.backups.find(db, backupId).orElseThrow();
		assertThat(done.status()).isEqualTo(RunStatus.DONE);
		assertThat(done.jobExecutionId()).isEqualTo(execution.getId());
		assertThat(done.node().port()).isEqualTo(redis.port());
		assertThat(done.keysPerDb()).containsEntry("db0", 100L);
		assertThat(done.storedSize()).isPositive();
		assertThat(this.store.list(db + "/")).singleElement()
			.satisfies((object) -> assertThat(object.key()).isEqualTo(done.objectKey()));
	}

	@Test
	void aBackupOfANodeThatDoesNotAnswerFailsInItsFirstStepAndLeavesAnErrorRowAndNoObject() throws Exception {
		String db;
		try (RedisServerProcess gone = RedisServerProcess.startWithPassword(PASSWORD)) {
			db = registerDatabase("backup-job-down", PASSWORD, "stream", gone.port()).text("id");
		}
		// the database's only node has stopped: nothing listens on its port any more
		String backupId = scheduled(db);

		JobExecution execution = this.jobs.startJob(parameters(db, backupId));

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.FAILED);
		assertThat(execution.getExitStatus().getExitCode()).isEqualTo(ExitStatus.FAILED.getExitCode());
		assertThat(execution.getStepExecutions()).extracting(StepExecution::getStepName)
			.containsExactly("selectNodeStep");
		Backup failed = this.backups.find(db, backupId).orElseThrow();
		assertThat(failed.status()).isEqualTo(RunStatus.ERROR);
		assertThat(failed.error()).isNotBlank();
		assertThat(this.store.list(db + "/")).isEmpty();
	}

	private String scheduled(String databaseId) {
		Database database = this.databases.findLive(databaseId).orElseThrow();
		Instant createdAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		String backupId = BackupNames.newId(createdAt);
		this.backups.insertScheduled(backupId, databaseId, createdAt, BackupNames.fileName(database, createdAt),
				Backup.MANUAL, BackupNames.objectKey(database, createdAt));
		return backupId;
	}

	private static JobParameters parameters(String databaseId, String backupId) {
		return new JobParametersBuilder().addString(BackupJobConfiguration.DATABASE_ID, databaseId)
			.addString(BackupJobConfiguration.BACKUP_ID, backupId)
			.addString(BackupJobConfiguration.METHOD, Backup.MANUAL)
			.toJobParameters();
	}

}
