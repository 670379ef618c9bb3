package io.coffer.restore;

import io.coffer.schedule.ServiceJob;
import io.coffer.schedule.ServiceJobs;

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
 * {@code verifyBackupsJob} (see jobs/verify.yml): one step that reads retained backups back whole and
 * writes what it found in the exit description. Service-wide: scheduled by schedules/verify-backups.yml,
 * launched by the operator with {@code POST /api/v1/jobs/verifyBackupsJob} (with {@code ?database=} for
 * every backup of one database).
 */
@Configuration(proxyBeanMethods = false)
class VerifyBackupsJobConfiguration {

	/** The exit code of a run that completed and found a damaged backup, so that a caller needs not read the text. */
	static final String DAMAGED_FOUND = "DAMAGED_FOUND";

	@Bean
	@ServiceJob
	Job verifyBackupsJob(JobRepository jobRepository, Step verifyBackupsStep) {
		return new JobBuilder("verifyBackupsJob", jobRepository).start(verifyBackupsStep).build();
	}

	@Bean
	Step verifyBackupsStep(JobRepository jobRepository, BackupVerification verification) {
		return new StepBuilder("verifyBackupsStep", jobRepository).tasklet((contribution, chunk) -> {
			String databaseId = contribution.getStepExecution().getJobParameters().getString(ServiceJobs.DATABASE_ID);
			BackupVerification.Result result = (databaseId != null) ? verification.runDatabase(databaseId)
					: verification.runShare();
			ExitStatus status = result.damaged().isEmpty() ? ExitStatus.COMPLETED : new ExitStatus(DAMAGED_FOUND);
			contribution.setExitStatus(status.addExitDescription(result.describe()));
			return RepeatStatus.FINISHED;
		}).build();
	}

}
