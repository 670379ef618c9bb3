package io.coffer.provision;

import io.coffer.system.JobLaunches;

import org.springframework.batch.core.BatchStatus;
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
 * {@code provisionJob(databaseId)}: {@code startDataNodesStep} → {@code startSentinelsStep} →
 * {@code startProxiesStep} → {@code verifyTopologyStep}. A failure in any step removes every node started
 * and leaves the database in {@code error} with the reason (see {@code jobs/provision.yml}).
 */
@Configuration(proxyBeanMethods = false)
class ProvisionJobConfiguration {

	static final String JOB_NAME = "provisionJob";

	static final String DATABASE_ID = "databaseId";

	@Bean
	Job provisionJob(JobRepository jobRepository, Step startDataNodesStep, Step startSentinelsStep,
			Step startProxiesStep, Step verifyTopologyStep, ProvisionFailureListener failureListener) {
		return new JobBuilder(JOB_NAME, jobRepository).start(startDataNodesStep)
			.next(startSentinelsStep)
			.next(startProxiesStep)
			.next(verifyTopologyStep)
			.listener(failureListener)
			.build();
	}

	@Bean
	Step startDataNodesStep(JobRepository jobRepository, ProvisionSteps steps) {
		return new StepBuilder("startDataNodesStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.startDataNodes(databaseId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step startSentinelsStep(JobRepository jobRepository, ProvisionSteps steps) {
		return new StepBuilder("startSentinelsStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.startSentinels(databaseId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step startProxiesStep(JobRepository jobRepository, ProvisionSteps steps) {
		return new StepBuilder("startProxiesStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.startProxies(databaseId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step verifyTopologyStep(JobRepository jobRepository, ProvisionSteps steps) {
		return new StepBuilder("verifyTopologyStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.verify(databaseId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	/** Provisionings run beside the API; each mostly waits for processes to come up. */
	@Bean
	ThreadPoolTaskExecutor provisionExecutor() {
		return JobLaunches.pool(4, 1_000, "provision-");
	}

	private static String databaseId(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters().getString(DATABASE_ID);
	}

	/** Turns a failed execution into a database in {@code error}, with nothing left running. */
	@Component
	static class ProvisionFailureListener implements JobExecutionListener {

		private final ProvisionFailures failures;

		ProvisionFailureListener(ProvisionFailures failures) {
			this.failures = failures;
		}

		@Override
		public void afterJob(JobExecution job) {
			if (job.getStatus() != BatchStatus.COMPLETED) {
				Throwable cause = job.getAllFailureExceptions().stream().findFirst().orElse(null);
				this.failures.record(job.getJobParameters().getString(DATABASE_ID), cause);
			}
		}

	}

}
