package io.coffer.restore;

import java.time.Clock;

import io.coffer.redis.RedisEndpoint;
import io.coffer.catalog.RestoreRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.system.JobLaunches;
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
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * {@code restoreJob(databaseId, restoreId, verifyBeforeLoad)}: {@code fetchAndCheckStep} (the archive read and checked
 * whole, the target judged able to take it; nothing touched) → {@code loadStep} (the target replicates
 * the dump from Coffer, then is a primary again) → {@code verifyStep} (keys per logical database). A
 * failure leaves the row in {@code error} with a sentence and the state the target is in.
 */
@Configuration(proxyBeanMethods = false)
class RestoreJobConfiguration {

	static final String JOB_NAME = "restoreJob";

	static final String DATABASE_ID = "databaseId";

	static final String RESTORE_ID = "restoreId";

	static final String VERIFY_BEFORE_LOAD = "verifyBeforeLoad";

	private static final String NODE_HOST = "target.host";

	private static final String NODE_PORT = "target.port";

	@Bean
	Job restoreJob(JobRepository jobRepository, Step fetchAndCheckStep, Step loadStep, Step verifyStep,
			RestoreFailureListener failureListener) {
		return new JobBuilder(JOB_NAME, jobRepository).start(fetchAndCheckStep)
			.next(loadStep)
			.next(verifyStep)
			.listener(failureListener)
			.build();
	}

	@Bean
	Step fetchAndCheckStep(JobRepository jobRepository, RestoreSteps steps) {
		return new StepBuilder("fetchAndCheckStep", jobRepository).tasklet((contribution, chunk) -> {
			JobExecution job = job(chunk);
			RedisEndpoint node = steps.fetchAndCheck(param(job, RESTORE_ID), param(job, DATABASE_ID), job.getId(),
					Boolean.parseBoolean(param(job, VERIFY_BEFORE_LOAD)));
			// the password is looked up again by each step: it never goes into the job repository
			job.getExecutionContext().putString(NODE_HOST, node.host());
			job.getExecutionContext().putInt(NODE_PORT, node.port());
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step loadStep(JobRepository jobRepository, RestoreSteps steps) {
		return new StepBuilder("loadStep", jobRepository).tasklet((contribution, chunk) -> {
			JobExecution job = job(chunk);
			steps.load(param(job, RESTORE_ID), param(job, DATABASE_ID), node(job));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step verifyStep(JobRepository jobRepository, RestoreSteps steps) {
		return new StepBuilder("verifyStep", jobRepository).tasklet((contribution, chunk) -> {
			JobExecution job = job(chunk);
			steps.verify(param(job, RESTORE_ID), param(job, DATABASE_ID), node(job));
			return RepeatStatus.FINISHED;
		}).build();
	}

	/**
	 * The pool restores run on. Each holds a decryption stream and one target's replication link; the
	 * pool's size is this instance's limit of concurrent restores.
	 */
	@Bean
	ThreadPoolTaskExecutor restoreExecutor(RestoreProperties settings) {
		return JobLaunches.pool(settings.maxConcurrent(), 1_000, "restore-");
	}

	private static RedisEndpoint node(JobExecution job) {
		ExecutionContext context = job.getExecutionContext();
		return new RedisEndpoint(context.getString(NODE_HOST), context.getInt(NODE_PORT));
	}

	private static JobExecution job(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution();
	}

	static String param(JobExecution job, String name) {
		return job.getJobParameters().getString(name);
	}

	/** Turns a failed execution into an {@code error} row: why, and what state the target is in. */
	@Component
	static class RestoreFailureListener implements JobExecutionListener {

		private final RestoreFailures failures;

		RestoreFailureListener(RestoreFailures failures) {
			this.failures = failures;
		}

		@Override
		public void afterJob(JobExecution job) {
			if (job.getStatus() == BatchStatus.COMPLETED) {
				return;
			}
			String failedStep = job.getStepExecutions()
				.stream()
				.filter((step) -> step.getStatus() != BatchStatus.COMPLETED)
				.map(StepExecution::getStepName)
				.findFirst()
				.orElse(null);
			Throwable cause = job.getAllFailureExceptions().stream().findFirst().orElse(null);
			this.failures.record(param(job, RESTORE_ID), failedStep, cause);
		}

	}

	/** Records why a restore failed, and where it left the target; the row always leaves scheduled/running. */
	@Component
	static class RestoreFailures {

		private static final Logger log = LoggerFactory.getLogger(RestoreFailures.class);

		private final RestoreRepository restores;

		private final Clock clock;

		RestoreFailures(RestoreRepository restores, Clock clock) {
			this.restores = restores;
			this.clock = clock;
		}

		void record(String restoreId, String failedStep, Throwable cause) {
			String reason = RestoreSteps.sentence(cause);
			String state = targetState(failedStep, cause);
			log.warn("Restore {} failed in {}: {}; {}", restoreId, failedStep, reason, state, cause);
			try {
				this.restores.markError(restoreId, reason, state, this.clock.instant());
			}
			catch (RunStatus.IllegalStateTransitionException ex) {
				log.warn("Restore {} could not be marked as failed: {}", restoreId, ex.getMessage());
			}
		}

		private static String targetState(String failedStep, Throwable cause) {
			for (Throwable current = cause; current != null; current = current.getCause()) {
				if (current instanceof RestoreFailedException failed) {
					return failed.targetState();
				}
			}
			if (failedStep == null || "fetchAndCheckStep".equals(failedStep)) {
				return RestoreFailedException.UNTOUCHED;
			}
			if ("verifyStep".equals(failedStep)) {
				return "the target holds the dump Redis loaded, but it could not be verified: check its data before use";
			}
			return "the target's state is unknown: check it before use";
		}

	}

}
