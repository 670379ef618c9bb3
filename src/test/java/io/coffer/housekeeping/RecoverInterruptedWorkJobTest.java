package io.coffer.housekeeping;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.system.JobExecutions;
import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wiring of the recovery job, run on its own: one step that settles every kind of interrupted work,
 * says how many of each it recorded, and leaves the work of a stopped instance failed in the catalogue
 * (the work of a live instance untouched). Its former name runs the same step.
 */
class RecoverInterruptedWorkJobTest extends IntegrationTest {

	private static final List<String> KINDS = List.of("backups", "restores", "provisionings", "plan changes",
			"engine upgrades", "configuration changes");

	@Autowired
	JobOperator jobOperator;

	@Autowired
	JobRepository jobRepository;

	@Autowired
	@Qualifier("recoverInterruptedWorkJob")
	Job recoverInterruptedWorkJob;

	@Autowired
	@Qualifier("recoverInterruptedBackupsJob")
	Job formerName;

	@Autowired
	BackupRepository backups;

	@Autowired
	DatabaseRepository databases;

	@Autowired
	JdbcClient jdbc;

	@Test
	void oneStepRecordsTheWorkOfAStoppedInstanceAsFailedAndSaysHowManyOfEachKind() throws Exception {
		String db = database();
		// the live instance checks in before its backup exists: the other contexts of the suite recover the work of
		// stopped instances too, and would take a backup whose instance has no heartbeat yet for one that stopped
		this.jdbc.sql("""
				insert into qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval)
				values ('quartzScheduler', 'instance-alive', ?, 7500)""").param(System.currentTimeMillis()).update();
		String gone = runningBackup(db, "instance-that-stopped", Instant.now().minus(10, ChronoUnit.MINUTES));
		String live = runningBackup(database(), "instance-alive", Instant.now().minus(10, ChronoUnit.MINUTES));
		try {
			JobExecution execution = run(this.recoverInterruptedWorkJob);

			assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(execution.getStepExecutions()).extracting(StepExecution::getStepName)
				.containsExactly("recoverInterruptedWorkStep");
			String description = execution.getExitStatus().getExitDescription();
			assertThat(description).startsWith("interrupted and recorded: ");
			for (String kind : KINDS) {
				assertThat(description).containsPattern("\\d+ " + kind);
			}
			Backup interrupted = this.backups.find(db, gone).orElseThrow();
			assertThat(interrupted.status()).isEqualTo(RunStatus.ERROR);
			assertThat(interrupted.error()).isEqualTo(JobExecutions.INTERRUPTED);
			assertThat(this.jdbc.sql("select status from backups where id = ?").param(live).query(String.class).single())
				.isEqualTo("running");
		}
		finally {
			this.jdbc.sql("delete from qrtz_scheduler_state where instance_name = 'instance-alive'").update();
			// not over an assertion's failure: a backup the job took wrongly is no longer running
			if ("running".equals(this.jdbc.sql("select status from backups where id = ?").param(live).query(String.class)
				.single())) {
				this.backups.markError(live, "test over", Instant.now());
			}
		}
	}

	@Test
	void theFormerNameRunsTheSameStep() throws Exception {
		JobExecution execution = run(this.formerName);

		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(execution.getStepExecutions()).extracting(StepExecution::getStepName)
			.containsExactly("recoverInterruptedWorkStep");
	}

	private JobExecution run(Job job) throws Exception {
		JobOperatorTestUtils jobs = new JobOperatorTestUtils(this.jobOperator, this.jobRepository);
		jobs.setJob(job);
		return jobs.startJob(jobs.getUniqueJobParameters());
	}

	private String database() {
		String db = "recovery-" + UUID.randomUUID().toString().substring(0, 8);
		this.databases.insert(new Database(db, db, null, "registered", "running", "stream", null, false, null,
				Instant.now(), List.of()));
		return db;
	}

	private String runningBackup(String db, String instanceId, Instant createdAt) {
		String id = db + "-running";
		this.jdbc.sql("""
				insert into backups (id, database_id, created_at, name, status, method, object_key, instance_id)
				values (?, ?, ?, 'running.tar.gz', 'running', 'manual', ?, ?)
				""").params(id, db, Timestamp.from(createdAt), db + "/running", instanceId).update();
		return id;
	}

}
