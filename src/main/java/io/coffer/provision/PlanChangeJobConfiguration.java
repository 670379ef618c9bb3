package io.coffer.provision;

import java.time.Clock;
import java.util.List;
import java.util.Locale;

import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ProvisioningRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import org.springframework.stereotype.Component;

/**
 * {@code planChangeJob(databaseId, changeId)}: {@code preparePlanChangeStep} → {@code removePlanNodesStep}
 * → {@code resizePlanNodesStep} → {@code addPlanNodesStep} → {@code finishPlanChangeStep} (see
 * {@code jobs/plan-change.yml}). A failure is undone where it can be (nodes added are removed, the old memory
 * set back) and the database is {@code running} again on its old plan; else it is left in {@code error}
 * with the reason. Either way the change's {@code plan_changes} row says why.
 */
@Configuration(proxyBeanMethods = false)
class PlanChangeJobConfiguration {

	static final String JOB_NAME = "planChangeJob";

	static final String DATABASE_ID = "databaseId";

	static final String CHANGE_ID = "changeId";

	static final String REMOVE_STEP = "removePlanNodesStep";

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
		return new StepBuilder(REMOVE_STEP, jobRepository).tasklet((contribution, chunk) -> {
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

	/** Undoes what a failed change did where it can, and says why it failed on the change and the database. */
	@Component
	static class PlanChangeFailureListener implements JobExecutionListener {

		private static final Logger log = LoggerFactory.getLogger(PlanChangeFailureListener.class);

		private final PlanChangeSteps steps;

		private final PlanChangeRepository changes;

		private final ProvisioningRepository repository;

		private final Clock clock;

		PlanChangeFailureListener(PlanChangeSteps steps, PlanChangeRepository changes,
				ProvisioningRepository repository, Clock clock) {
			this.steps = steps;
			this.changes = changes;
			this.repository = repository;
			this.clock = clock;
		}

		@Override
		public void afterJob(JobExecution job) {
			if (job.getStatus() == BatchStatus.COMPLETED) {
				return;
			}
			long changeId = job.getJobParameters().getLong(CHANGE_ID);
			String databaseId = job.getJobParameters().getString(DATABASE_ID);
			String reason = job.getAllFailureExceptions()
				.stream()
				.findFirst()
				.map((failure) -> (failure.getMessage() != null) ? failure.getMessage() : failure.getClass().getSimpleName())
				.orElse("the job ended " + job.getStatus().name().toLowerCase(Locale.ROOT));
			List<String> notUndone;
			try {
				PlanChangeRepository.PlanChange change = this.steps.change(changeId);
				// once nodes are being removed, the old topology cannot be brought back here
				boolean nodesRemoved = this.steps.removesNodes(change) && job.getStepExecutions()
					.stream()
					.anyMatch((step) -> REMOVE_STEP.equals(step.getStepName()));
				notUndone = this.steps.undo(change, nodesRemoved);
			}
			catch (RuntimeException ex) {
				notUndone = List.of("undoing failed: " + ex.getMessage());
			}
			this.changes.finished(changeId, PlanChangeRepository.ERROR, reason, this.clock.instant());
			try {
				if (notUndone.isEmpty()) {
					this.repository.changeStatus(databaseId, DatabaseStatus.UPDATING, DatabaseStatus.RUNNING, null);
					log.warn("The plan change of {} failed and was undone: {}", databaseId, reason);
				}
				else {
					this.repository.changeStatus(databaseId, DatabaseStatus.UPDATING, DatabaseStatus.ERROR,
							"the plan change failed: " + reason + "; not undone: " + String.join("; ", notUndone));
					log.error("The plan change of {} failed and could not be undone: {}; {}", databaseId, reason, notUndone);
				}
			}
			catch (IllegalStateException ex) {
				log.warn("Could not record the failed plan change of {}: {}", databaseId, ex.getMessage());
			}
		}

	}

}
