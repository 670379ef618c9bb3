package io.coffer.backup;

import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.SelectedNode;

import io.coffer.catalog.Backup;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * {@code backupJob(databaseId, backupId, method)}: {@code selectNodeStep} → {@code snapshotStep}
 * (snapshot, package, encrypt and upload in one pass) → {@code commitStep}. A failure in any step
 * leaves the row in {@code error} with a sentence for the user, and no object behind.
 */
@Configuration(proxyBeanMethods = false)
class BackupJobConfiguration {

	static final String JOB_NAME = "backupJob";

	static final String DATABASE_ID = "databaseId";

	static final String BACKUP_ID = "backupId";

	static final String METHOD = "method";

	private static final String NODE_HOST = "node.host";

	private static final String NODE_PORT = "node.port";

	private static final String NODE_ROLE = "node.role";

	private static final String OUTCOME = "outcome";

	@Bean
	Job backupJob(JobRepository jobRepository, Step selectNodeStep, Step snapshotStep, Step commitStep,
			BackupFailureListener failureListener) {
		return new JobBuilder(JOB_NAME, jobRepository).start(selectNodeStep)
			.next(snapshotStep)
			.next(commitStep)
			.listener(failureListener)
			.build();
	}

	@Bean
	Step selectNodeStep(JobRepository jobRepository, BackupSteps steps) {
		return new StepBuilder("selectNodeStep", jobRepository).tasklet((contribution, chunk) -> {
			JobExecution job = job(chunk);
			SelectedNode node = steps.selectNode(param(job, BACKUP_ID), param(job, DATABASE_ID), job.getId());
			job.getExecutionContext().putString(NODE_HOST, node.endpoint().host());
			job.getExecutionContext().putInt(NODE_PORT, node.endpoint().port());
			job.getExecutionContext().putString(NODE_ROLE, node.role());
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step snapshotStep(JobRepository jobRepository, BackupSteps steps) {
		return new StepBuilder("snapshotStep", jobRepository).tasklet((contribution, chunk) -> {
			JobExecution job = job(chunk);
			ExecutionContext context = job.getExecutionContext();
			RedisEndpoint node = new RedisEndpoint(context.getString(NODE_HOST), context.getInt(NODE_PORT));
			Backup.Outcome outcome = steps.snapshotAndShip(job.getId(), param(job, BACKUP_ID), param(job, DATABASE_ID),
					node, context.getString(NODE_ROLE));
			context.put(OUTCOME, outcome);
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step commitStep(JobRepository jobRepository, BackupSteps steps) {
		return new StepBuilder("commitStep", jobRepository).tasklet((contribution, chunk) -> {
			JobExecution job = job(chunk);
			Backup.Outcome outcome = (Backup.Outcome) job.getExecutionContext().get(OUTCOME);
			steps.commit(job.getId(), param(job, BACKUP_ID), param(job, DATABASE_ID), outcome);
			return RepeatStatus.FINISHED;
		}).build();
	}

	private static JobExecution job(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution();
	}

	private static String param(JobExecution job, String name) {
		return job.getJobParameters().getString(name);
	}

	/** Turns a failed execution into an {@code error} row that says what happened. */
	@Component
	static class BackupFailureListener implements JobExecutionListener {

		private final BackupFailures failures;

		private final BackupSteps steps;

		private final RunningBackups running;

		BackupFailureListener(BackupFailures failures, BackupSteps steps, RunningBackups running) {
			this.failures = failures;
			this.steps = steps;
			this.running = running;
		}

		@Override
		public void afterJob(JobExecution job) {
			this.steps.forget(job.getId());
			try {
				if (job.getStatus() != BatchStatus.COMPLETED) {
					Throwable cause = job.getAllFailureExceptions().stream().findFirst().orElse(null);
					this.failures.record(param(job, DATABASE_ID), param(job, BACKUP_ID), cause);
				}
			}
			finally {
				// its end is written, or could not be (the catalogue away): recovery settles a row still in flight
				this.running.ended(param(job, BACKUP_ID));
			}
		}

	}

}
