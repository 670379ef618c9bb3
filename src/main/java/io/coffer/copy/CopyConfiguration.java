package io.coffer.copy;

import io.coffer.backup.BackupFinished;
import io.coffer.schedule.ServiceJob;
import io.coffer.system.JobLaunches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * When copies are made: each done backup right after its row is committed, on a pool of its own so that
 * the backup neither waits for its copy nor fails with it; and {@code copyBackupsJob} (see jobs/copy.yml),
 * scheduled by schedules/copy-backups.yml, which catches up what is still pending (an instance stopped, the
 * pool's queue was full) and retries what failed (the copy store was down).
 */
@Configuration(proxyBeanMethods = false)
class CopyConfiguration {

	/** One copy at a time per instance: copies run behind backups, and the catch-up takes what waits. */
	@Bean
	ThreadPoolTaskExecutor copyExecutor() {
		return JobLaunches.pool(1, 1_000, "copy-");
	}

	@Bean
	@ServiceJob
	Job copyBackupsJob(JobRepository jobRepository, Step copyBackupsStep) {
		return new JobBuilder("copyBackupsJob", jobRepository).start(copyBackupsStep).build();
	}

	@Bean
	Step copyBackupsStep(JobRepository jobRepository, BackupCopier copier) {
		return new StepBuilder("copyBackupsStep", jobRepository).tasklet((contribution, chunk) -> {
			String description = copier.isConfigured() ? copier.catchUp().describe()
					: "no copy store is configured (coffer.copy.endpoint)";
			contribution.setExitStatus(contribution.getExitStatus().addExitDescription(description));
			return RepeatStatus.FINISHED;
		}).build();
	}

	/** Hands each backup that became done to the copy pool, once its row is committed. */
	@Component
	static class CopyAfterBackup {

		private static final Logger log = LoggerFactory.getLogger(CopyAfterBackup.class);

		private final BackupCopier copier;

		private final ThreadPoolTaskExecutor pool;

		CopyAfterBackup(BackupCopier copier, @Qualifier("copyExecutor") ThreadPoolTaskExecutor copyExecutor) {
			this.copier = copier;
			this.pool = copyExecutor;
		}

		@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
		void backupFinished(BackupFinished event) {
			if (!event.succeeded() || !this.copier.isConfigured()) {
				return;
			}
			try {
				this.pool.execute(() -> {
					try {
						this.copier.copy(event.backupId());
					}
					catch (RuntimeException ex) {
						// the catalogue did not answer: the row is still pending, for the catch-up
						log.warn("The copy of backup {} did not start: {}", event.backupId(), ex.getMessage());
					}
				});
			}
			catch (TaskRejectedException ex) {
				log.info("Backup {} waits for copyBackupsJob to be copied: {} copies are queued already",
						event.backupId(), this.pool.getQueueSize());
			}
		}

	}

}
