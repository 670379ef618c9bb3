package io.coffer.system;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Ends the Batch execution of a job whose instance stopped: it would stay {@code STARTED} forever
 * otherwise, and {@code GET /jobs/{execution}} would say it still runs.
 */
public final class InterruptedJobs {

	/** The error of a backup or restore whose instance stopped while running it. */
	public static final String REASON = "interrupted: the instance running it stopped";

	private static final Logger log = LoggerFactory.getLogger(InterruptedJobs.class);

	private InterruptedJobs() {
	}

	public static void markFailed(JobRepository jobRepository, Long executionId, String reason, Instant now) {
		if (executionId == null) {
			return;
		}
		try {
			JobExecution execution = jobRepository.getJobExecution(executionId);
			if (execution != null && execution.isRunning()) {
				execution.setStatus(BatchStatus.FAILED);
				execution.setExitStatus(ExitStatus.FAILED.addExitDescription(reason));
				execution.setEndTime(LocalDateTime.ofInstant(now, ZoneId.systemDefault()));
				jobRepository.update(execution);
			}
		}
		catch (RuntimeException ex) {
			log.warn("Job execution {} could not be marked failed: {}", executionId, ex.getMessage());
		}
	}

}
