package io.coffer.planchange;

import io.coffer.system.JobExecutions;
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
 * {@code planChangeJob(databaseId, changeId)}: {@code preparePlanChangeStep} → {@code removePlanNodesStep}
 * → {@code resizePlanNodesStep} → {@code addPlanNodesStep} → {@code finishPlanChangeStep} (see
 * {@code jobs/plan-change.yml}). A failure is settled by {@link PlanChangeFailures}.
 */
@Configuration(proxyBeanMethods = false)
class PlanChangeJobConfiguration {

	/**
	 * The pool its jobs run on:
	 * a plan change mostly waits on nodes coming up; a few at a time are plenty, and the queue keeps the rest.
	 */
	@Bean
	ThreadPoolTaskExecutor planChangeExecutor() {
		return JobLaunches.pool(2, 100, "plan-change-");
	}

	static final String JOB_NAME = "planChangeJob";

	static final String DATABASE_ID = "databaseId";

	static final String CHANGE_ID = "changeId";

	@Bean
	Job planChangeJob(JobRepository jobRepository, Step preparePlanChangeStep, Step removePlanNodesStep,
			Step resizePlanNodesStep, Step addPlanNodesStep, Step finishPlanChangeStep,
			PlanChangeFailureListener failureListener) {
		return new JobBuilder(JOB_NAME, jobRepository).start(preparePlanChangeStep)
			.next(removePlanNodesStep)
			.next(resizePlanNodesStep)
			.next(addPlanNodesStep)
			.next(finishPlanChangeStep)
			.listener(failureListener)
			.build();
	}

	@Bean
	Step preparePlanChangeStep(JobRepository jobRepository, PlanChangeSteps steps) {
		return new StepBuilder("preparePlanChangeStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.prepare(changeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step removePlanNodesStep(JobRepository jobRepository, PlanChangeSteps steps) {
		return new StepBuilder("removePlanNodesStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.removeNodes(changeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step resizePlanNodesStep(JobRepository jobRepository, PlanChangeSteps steps) {
		return new StepBuilder("resizePlanNodesStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.resize(changeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step addPlanNodesStep(JobRepository jobRepository, PlanChangeSteps steps) {
		return new StepBuilder("addPlanNodesStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.addNodes(changeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step finishPlanChangeStep(JobRepository jobRepository, PlanChangeSteps steps) {
		return new StepBuilder("finishPlanChangeStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.finish(changeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	private static long changeId(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters().getLong(CHANGE_ID);
	}

	/** Hands a failed change to {@link PlanChangeFailures}, which reads from the nodes what it had done. */
	@Component
	static class PlanChangeFailureListener implements JobExecutionListener {

		private final PlanChangeFailures failures;

		PlanChangeFailureListener(PlanChangeFailures failures) {
			this.failures = failures;
		}

		@Override
		public void afterJob(JobExecution job) {
			if (job.getStatus() == BatchStatus.COMPLETED) {
				return;
			}
			this.failures.settle(job.getJobParameters().getLong(CHANGE_ID), job.getJobParameters().getString(DATABASE_ID),
					JobExecutions.failureReason(job));
		}

	}

}
