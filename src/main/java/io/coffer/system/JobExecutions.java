package io.coffer.system;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;

/** What recovery does to the Batch execution of work whose instance stopped. */
public final class JobExecutions {

	/** The error of a backup, restore or plan change whose instance stopped while running it. */
	public static final String INTERRUPTED = "interrupted: the instance running it stopped";

	private static final Logger log = LoggerFactory.getLogger(JobExecutions.class);

	private JobExecutions() {
	}

	/**
	 * Why an execution did not complete, as a sentence for the row that records it: its first failure's
	 * message, else how it ended; {@code null} when it completed.
	 */
	public static String failureReason(JobExecution execution) {
		if (execution.getStatus() == BatchStatus.COMPLETED) {
			return null;
		}
		return execution.getAllFailureExceptions()
			.stream()
			.findFirst()
			.map((failure) -> (failure.getMessage() != null) ? failure.getMessage() : failure.getClass().getSimpleName())
			.orElse("the job ended " + execution.getStatus().name().toLowerCase(Locale.ROOT));
	}

	/**
	 * Marks the execution failed with the reason, if Batch still has it running: it would stay STARTED
	 * forever otherwise, and {@code GET /jobs/{execution}} would say so.
	 */
	public static void failInterrupted(JobRepository jobRepository, Long executionId, String reason, Instant now) {
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
