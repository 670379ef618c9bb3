package io.coffer.web;

import java.time.LocalDateTime;
import java.time.Instant;

import io.coffer.catalog.DatabaseRepository;
import io.coffer.schedule.ServiceJobs;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * On-demand launches of the service-wide jobs (operator only), and the status of any launched job.
 */
@RestController
@RequestMapping("/api/v1/jobs")
class JobController {

	/** The one service-wide job that can be asked for one database. */
	private static final String VERIFY_BACKUPS_JOB = "verifyBackupsJob";

	private final ServiceJobs jobs;

	private final DatabaseRepository databases;

	private final JobRepository jobRepository;

	JobController(ServiceJobs jobs, JobRepository jobRepository, DatabaseRepository databases) {
		this.jobs = jobs;
		this.databases = databases;
		this.jobRepository = jobRepository;
	}

	/** A job's execution as Spring Batch records it. */
	record JobView(long execution, String job, String status, String exitCode, String exitDescription,
			Instant createdAt, Instant startedAt, Instant endedAt) {

		static JobView of(JobExecution execution) {
			return new JobView(execution.getId(), execution.getJobInstance().getJobName(),
					execution.getStatus().name().toLowerCase(java.util.Locale.ROOT),
					execution.getExitStatus().getExitCode(), emptyToNull(execution.getExitStatus().getExitDescription()),
					utc(execution.getCreateTime()), utc(execution.getStartTime()), utc(execution.getEndTime()));
		}

		private static Instant utc(LocalDateTime time) {
			// Batch keeps local date-times; the service runs in UTC like the rest of its times
			return (time != null) ? time.atZone(java.time.ZoneId.systemDefault()).toInstant() : null;
		}

		private static String emptyToNull(String text) {
			return (text == null || text.isEmpty()) ? null : text;
		}

	}

	@PostMapping("/{name:[A-Za-z][A-Za-z0-9-]*}")
	@ResponseStatus(HttpStatus.ACCEPTED)
	JobView launch(Caller caller, @PathVariable String name, @RequestParam(required = false) String database) {
		caller.requireOperator();
		if (database == null) {
			return JobView.of(this.jobs.launch(name, "api"));
		}
		if (!VERIFY_BACKUPS_JOB.equals(name)) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_request",
					"only " + VERIFY_BACKUPS_JOB + " runs for one database (?database=)");
		}
		if (!this.databases.idExists(database)) {
			throw ApiException.notFound("database " + database);
		}
		return JobView.of(this.jobs.launch(name, "api", database));
	}

	@GetMapping("/{execution:\\d+}")
	JobView get(Caller caller, @PathVariable long execution) {
		JobExecution found;
		try {
			found = this.jobRepository.getJobExecution(execution);
		}
		catch (EmptyResultDataAccessException ex) {
			found = null;
		}
		if (found == null) {
			throw ApiException.notFound("job execution " + execution);
		}
		String databaseId = found.getJobParameters().getString(ServiceJobs.DATABASE_ID);
		if (!caller.isOperator() && (databaseId == null || !caller.mayAccess(databaseId))) {
			throw ApiException.notFound("job execution " + execution);
		}
		return JobView.of(found);
	}

}
