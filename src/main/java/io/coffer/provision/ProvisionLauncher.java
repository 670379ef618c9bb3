package io.coffer.provision;

import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.stereotype.Component;

/** Runs {@code provisionJob} for a recorded database on the provisioning pool, so the API answers at once. */
@Component
class ProvisionLauncher {

	private static final Logger log = LoggerFactory.getLogger(ProvisionLauncher.class);

	private final JobOperator jobOperator;

	private final Job provisionJob;

	private final TaskExecutor executor;

	private final ProvisionFailures failures;

	ProvisionLauncher(JobOperator jobOperator, @Qualifier("provisionJob") Job provisionJob,
			@Qualifier("provisionExecutor") TaskExecutor executor, ProvisionFailures failures) {
		this.jobOperator = jobOperator;
		this.provisionJob = provisionJob;
		this.executor = executor;
		this.failures = failures;
	}

	void launch(String databaseId) {
		try {
			this.executor.execute(() -> run(databaseId));
		}
		catch (RejectedExecutionException ex) {
			this.failures.record(databaseId, new IllegalStateException("too many provisionings are waiting; this one was not started"));
		}
	}

	private void run(String databaseId) {
		try {
			this.jobOperator.start(this.provisionJob,
					new JobParametersBuilder().addString(ProvisionJobConfiguration.DATABASE_ID, databaseId)
						.toJobParameters());
		}
		catch (Exception ex) {
			log.error("provisionJob could not start for {}", databaseId, ex);
			this.failures.record(databaseId, ex);
		}
	}

}
