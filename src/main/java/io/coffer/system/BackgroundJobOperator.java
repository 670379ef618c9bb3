package io.coffer.system;

import java.util.Locale;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Starts one job in the background, on a small pool of its own, and answers its execution at once, as
 * an API call that starts a job needs. Not a bean: a second JobOperator bean would replace Spring
 * Boot's, which runs jobs on the caller's thread.
 */
public final class BackgroundJobOperator implements AutoCloseable {

	private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

	private final TaskExecutorJobOperator operator = new TaskExecutorJobOperator();

	private final Job job;

	/**
	 * @param threads executions running at once; the queue keeps the rest
	 */
	public BackgroundJobOperator(Job job, JobRepository jobRepository, int threads, String threadNamePrefix)
			throws Exception {
		this.job = job;
		this.executor.setCorePoolSize(threads);
		this.executor.setMaxPoolSize(threads);
		this.executor.setQueueCapacity(100);
		this.executor.setThreadNamePrefix(threadNamePrefix);
		this.executor.initialize();
		MapJobRegistry registry = new MapJobRegistry();
		registry.register(job);
		this.operator.setJobRegistry(registry);
		this.operator.setJobRepository(jobRepository);
		this.operator.setTaskExecutor(this.executor);
		this.operator.afterPropertiesSet();
	}

	public JobExecution start(JobParameters parameters) throws Exception {
		return this.operator.start(this.job, parameters);
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

	@Override
	public void close() {
		this.executor.shutdown();
	}

}
