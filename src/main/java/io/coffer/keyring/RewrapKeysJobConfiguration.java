package io.coffer.keyring;

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
 * {@code rewrapKeysJob} (see jobs/rewrap-keys.yml): one step that moves every backup and sealed secret
 * onto the current key. Launched by {@code POST /api/v1/keyring/rotate} and {@code POST
 * /api/v1/jobs/rewrapKeysJob}; safe to run again after any interruption.
 */
@Configuration(proxyBeanMethods = false)
class RewrapKeysJobConfiguration {

	@Bean
	@ServiceJob
	Job rewrapKeysJob(JobRepository jobRepository, Step rewrapKeysStep) {
		return new JobBuilder(KeyringOperations.REWRAP_JOB, jobRepository).start(rewrapKeysStep).build();
	}

	@Bean
	Step rewrapKeysStep(JobRepository jobRepository, RewrapKeysTask task) {
		return new StepBuilder("rewrapKeysStep", jobRepository).tasklet((contribution, chunk) -> {
			RewrapKeysTask.Result result = task.run();
			if (result.failed() > 0) {
				// the job fails, so that it is seen; what could be done is done, a new run retries the rest
				throw new IllegalStateException(result.describe());
			}
			contribution.setExitStatus(ExitStatus.COMPLETED.addExitDescription(result.describe()));
			return RepeatStatus.FINISHED;
		}).build();
	}

}
