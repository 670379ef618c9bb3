package io.coffer.provision;

import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import io.coffer.system.JobLaunches;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.stereotype.Component;

/** Runs {@code provisionJob} for a recorded database on the provisioning pool, so the API answers at once. */
@Component
class ProvisionLauncher {

	private static final Logger log = LoggerFactory.getLogger(ProvisionLauncher.class);

	private final JobLaunches jobs;

	private final Job provisionJob;

	private final TaskExecutor executor;

	private final ProvisionFailures failures;

	ProvisionLauncher(JobLaunches jobs, @Qualifier("provisionJob") Job provisionJob,
			@Qualifier("provisionExecutor") TaskExecutor executor, ProvisionFailures failures) {
		this.jobs = jobs;
		this.provisionJob = provisionJob;
		this.executor = executor;
		this.failures = failures;
	}

	void launch(String databaseId) {
		try {
			this.jobs.submit(this.executor, this.provisionJob,
					new JobParametersBuilder().addString(ProvisionJobConfiguration.DATABASE_ID, databaseId)
						.toJobParameters(),
					(ex) -> {
						log.error("provisionJob could not start for {}", databaseId, ex);
						this.failures.record(databaseId, ex);
					});
		}
		catch (RejectedExecutionException ex) {
			this.failures.record(databaseId, new IllegalStateException("too many provisionings are waiting; this one was not started"));
		}
	}

}
