package io.coffer.restore;

import io.coffer.schedule.ServiceJob;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code restoreDrillJob} (see jobs/drill.yml): one step that drills the latest backups and writes what
 * it found in the exit description. Service-wide: scheduled by schedules/restore-drill.yml, launched by
 * the operator with {@code POST /api/v1/jobs/restoreDrillJob}.
 */
@Configuration(proxyBeanMethods = false)
class RestoreDrillJobConfiguration {

	@Bean
	@ServiceJob
	Job restoreDrillJob(JobRepository jobRepository, Step restoreDrillStep) {
		return new JobBuilder("restoreDrillJob", jobRepository).start(restoreDrillStep).build();
	}

	/**
	 * {@code pointInTimeDrillJob} (see jobs/drill.yml): replays each recoverable window into a scratch server,
	 * daily by schedules/point-in-time-drill.yml.
	 */
	@Bean
	@ServiceJob
	Job pointInTimeDrillJob(JobRepository jobRepository, Step pointInTimeDrillStep) {
		return new JobBuilder("pointInTimeDrillJob", jobRepository).start(pointInTimeDrillStep).build();
	}

	@Bean
	Step pointInTimeDrillStep(JobRepository jobRepository, PointInTimeDrillTask task) {
		return new StepBuilder("pointInTimeDrillStep", jobRepository).tasklet((contribution, chunk) -> {
			PointInTimeDrillTask.Result result = task.run();
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription(result.describe()));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step restoreDrillStep(JobRepository jobRepository, RestoreDrillTask task) {
		return new StepBuilder("restoreDrillStep", jobRepository).tasklet((contribution, chunk) -> {
			RestoreDrillTask.Result result = task.run();
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription(result.describe()));
			return RepeatStatus.FINISHED;
		}).build();
	}

}
