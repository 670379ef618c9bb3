package io.coffer.housekeeping;

import io.coffer.engine.EngineUpgrades;
import io.coffer.redisconfig.ConfigChanges;
import io.coffer.restore.RecoverInterruptedRestoresTask;
import io.coffer.schedule.ServiceJob;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The service-wide jobs of retention and housekeeping (see jobs/retention.yml): each one step that
 * runs one task and writes what it did in the exit description.
 */
@Configuration(proxyBeanMethods = false)
class RetentionJobConfiguration {

	@Bean
	@ServiceJob
	Job retentionJob(JobRepository jobRepository, Step expireBackupsStep) {
		return new JobBuilder("retentionJob", jobRepository).start(expireBackupsStep).build();
	}

	@Bean
	@ServiceJob
	Job recoverInterruptedBackupsJob(JobRepository jobRepository, Step recoverInterruptedBackupsStep) {
		return new JobBuilder("recoverInterruptedBackupsJob", jobRepository).start(recoverInterruptedBackupsStep).build();
	}

	@Bean
	@ServiceJob
	Job sweepOrphanObjectsJob(JobRepository jobRepository, Step sweepOrphanObjectsStep) {
		return new JobBuilder("sweepOrphanObjectsJob", jobRepository).start(sweepOrphanObjectsStep).build();
	}

	@Bean
	Step recoverInterruptedBackupsStep(JobRepository jobRepository, RecoverInterruptedBackupsTask backups,
			RecoverInterruptedRestoresTask restores, EngineUpgrades upgrades, ConfigChanges configChanges) {
		return new StepBuilder("recoverInterruptedBackupsStep", jobRepository).tasklet((contribution, chunk) -> {
			RecoverInterruptedBackupsTask.Result result = backups.run();
			int restoresRecorded = restores.run();
			int upgradesRecorded = upgrades.recoverInterrupted();
			int changesRecorded = configChanges.recoverInterrupted();
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription(result.interrupted()
					+ " interrupted backups recorded, " + result.uploadsAborted() + " uploads aborted, "
					+ restoresRecorded + " interrupted restores, " + upgradesRecorded + " engine upgrades and "
					+ changesRecorded + " configuration changes recorded"));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step sweepOrphanObjectsStep(JobRepository jobRepository, SweepOrphanObjectsTask task) {
		return new StepBuilder("sweepOrphanObjectsStep", jobRepository).tasklet((contribution, chunk) -> {
			SweepOrphanObjectsTask.Result result = task.run();
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription(result.orphanObjects()
					+ " objects without a backup (" + result.objectsDeleted() + " deleted), " + result.missingObjects()
					+ " backups without their object (" + result.backupsFailed() + " marked error)"));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step expireBackupsStep(JobRepository jobRepository, ExpireBackupsTask task) {
		return new StepBuilder("expireBackupsStep", jobRepository).tasklet((contribution, chunk) -> {
			ExpireBackupsTask.Result result = task.run();
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription(result.marked() + " expired, "
					+ result.deleted() + " deleted, " + result.failed() + " left for the next run"));
			return RepeatStatus.FINISHED;
		}).build();
	}

}
