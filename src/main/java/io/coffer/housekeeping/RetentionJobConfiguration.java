package io.coffer.housekeeping;

import java.util.Map;
import java.util.stream.Collectors;

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
	Job recoverInterruptedWorkJob(JobRepository jobRepository, Step recoverInterruptedWorkStep) {
		return new JobBuilder("recoverInterruptedWorkJob", jobRepository).start(recoverInterruptedWorkStep).build();
	}

	/**
	 * The former name of {@link #recoverInterruptedWorkJob}, from when it recovered backups only: kept so that
	 * schedules of operators and their calls of {@code POST /api/v1/jobs/recoverInterruptedBackupsJob} go on
	 * working. It runs the same step.
	 */
	@Bean
	@ServiceJob
	Job recoverInterruptedBackupsJob(JobRepository jobRepository, Step recoverInterruptedWorkStep) {
		return new JobBuilder("recoverInterruptedBackupsJob", jobRepository).start(recoverInterruptedWorkStep).build();
	}

	@Bean
	@ServiceJob
	Job sweepOrphanObjectsJob(JobRepository jobRepository, Step sweepOrphanObjectsStep) {
		return new JobBuilder("sweepOrphanObjectsJob", jobRepository).start(sweepOrphanObjectsStep).build();
	}

	@Bean
	Step recoverInterruptedWorkStep(JobRepository jobRepository, RecoverInterruptedWorkTask task) {
		return new StepBuilder("recoverInterruptedWorkStep", jobRepository).tasklet((contribution, chunk) -> {
			Map<String, Integer> recorded = task.run();
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription("interrupted and recorded: "
					+ recorded.entrySet()
						.stream()
						.map((kind) -> kind.getValue() + " " + kind.getKey())
						.collect(Collectors.joining(", "))));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step sweepOrphanObjectsStep(JobRepository jobRepository, SweepOrphanObjectsTask task) {
		return new StepBuilder("sweepOrphanObjectsStep", jobRepository).tasklet((contribution, chunk) -> {
			SweepOrphanObjectsTask.Result result = task.run();
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription(result.orphanObjects()
					+ " objects without a backup (" + result.objectsDeleted() + " deleted), " + result.missingObjects()
					+ " backups without their object (" + result.backupsFailed() + " marked error, "
					+ result.servedFromCopy() + " read from their copy), " + result.copyOrphans()
					+ " copies without a backup (" + result.copiesDeleted() + " deleted), " + result.copiesMissing()
					+ " copies missing (copied again)"));
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
