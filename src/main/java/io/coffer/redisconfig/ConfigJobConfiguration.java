package io.coffer.redisconfig;

import io.coffer.system.JobExecutions;
import io.coffer.system.JobLaunches;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * {@code configJob(databaseId, changeId)}: {@code applyConfigStep} → {@code verifyConfigStep}. The
 * outcome, and the reason of a failure, is kept on the change's {@code config_changes} row.
 */
@Configuration(proxyBeanMethods = false)
class ConfigJobConfiguration {

	/**
	 * The pool its jobs run on:
	 * changes mostly wait on Redis; a few at a time are plenty, and the queue keeps the rest.
	 */
	@Bean
	ThreadPoolTaskExecutor configExecutor() {
		return JobLaunches.pool(2, 100, "config-");
	}

	static final String JOB_NAME = "configJob";

	static final String DATABASE_ID = "databaseId";

	static final String CHANGE_ID = "changeId";

	@Bean
	Job configJob(JobRepository jobRepository, Step applyConfigStep, Step verifyConfigStep,
			ConfigFailureListener failureListener) {
		return new JobBuilder(JOB_NAME, jobRepository).start(applyConfigStep)
			.next(verifyConfigStep)
			.listener(failureListener)
			.build();
	}

	@Bean
	Step applyConfigStep(JobRepository jobRepository, ConfigSteps steps) {
		return new StepBuilder("applyConfigStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.apply(databaseId(chunk), changeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step verifyConfigStep(JobRepository jobRepository, ConfigSteps steps) {
		return new StepBuilder("verifyConfigStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.verify(databaseId(chunk), changeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	private static String databaseId(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters().getString(DATABASE_ID);
	}

	private static long changeId(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters().getLong(CHANGE_ID);
	}

	/** Records why a change failed on its row. */
	@Component
	static class ConfigFailureListener implements JobExecutionListener {

		private final ConfigChangeRepository changes;

		ConfigFailureListener(ConfigChangeRepository changes) {
			this.changes = changes;
		}

		@Override
		public void afterJob(JobExecution job) {
			String reason = JobExecutions.failureReason(job);
			if (reason != null) {
				this.changes.failed(job.getJobParameters().getLong(CHANGE_ID), reason);
			}
		}

	}

}
