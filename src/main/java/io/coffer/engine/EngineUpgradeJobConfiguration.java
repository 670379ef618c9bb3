package io.coffer.engine;

import java.time.Clock;

import io.coffer.engine.EngineRepository;
import io.coffer.engine.EngineUpgrades;
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
 * {@code engineUpgradeJob(databaseId, upgradeId)}: {@code upgradeEngineStep} → {@code verifyEngineStep}.
 * The outcome, and the reason of a failure, is kept on the upgrade's {@code engine_upgrades} row.
 */
@Configuration(proxyBeanMethods = false)
class EngineUpgradeJobConfiguration {

	/**
	 * The pool its jobs run on:
	 * an upgrade mostly waits on nodes restarting; one database's upgrade never waits on another's.
	 */
	@Bean
	ThreadPoolTaskExecutor engineUpgradeExecutor() {
		return JobLaunches.pool(2, 100, "engine-upgrade-");
	}

	static final String JOB_NAME = EngineUpgrades.JOB_NAME;

	static final String DATABASE_ID = EngineUpgrades.DATABASE_ID;

	static final String UPGRADE_ID = EngineUpgrades.UPGRADE_ID;

	@Bean
	Job engineUpgradeJob(JobRepository jobRepository, Step upgradeEngineStep, Step verifyEngineStep,
			EngineUpgradeFailureListener failureListener) {
		return new JobBuilder(JOB_NAME, jobRepository).start(upgradeEngineStep)
			.next(verifyEngineStep)
			.listener(failureListener)
			.build();
	}

	@Bean
	Step upgradeEngineStep(JobRepository jobRepository, EngineUpgradeSteps steps) {
		return new StepBuilder("upgradeEngineStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.upgrade(databaseId(chunk), upgradeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	@Bean
	Step verifyEngineStep(JobRepository jobRepository, EngineUpgradeSteps steps) {
		return new StepBuilder("verifyEngineStep", jobRepository).tasklet((contribution, chunk) -> {
			steps.verify(databaseId(chunk), upgradeId(chunk));
			return RepeatStatus.FINISHED;
		}).build();
	}

	private static String databaseId(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters().getString(DATABASE_ID);
	}

	private static long upgradeId(ChunkContext chunk) {
		return chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters().getLong(UPGRADE_ID);
	}

	/** Records why an upgrade failed on its row. */
	@Component
	static class EngineUpgradeFailureListener implements JobExecutionListener {

		private final EngineRepository engines;

		private final Clock clock;

		EngineUpgradeFailureListener(EngineRepository engines, Clock clock) {
			this.engines = engines;
			this.clock = clock;
		}

		@Override
		public void afterJob(JobExecution job) {
			String reason = JobExecutions.failureReason(job);
			if (reason != null) {
				this.engines.failed(job.getJobParameters().getLong(UPGRADE_ID), reason, this.clock.instant());
			}
		}

	}

}
