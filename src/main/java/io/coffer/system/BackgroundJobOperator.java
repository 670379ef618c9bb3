package io.coffer.system;

import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Starts one job on a small pool of its own and answers its execution at once, for requests that answer
 * 202 with the job (configuration and plan changes). Not a bean: a second JobOperator bean would replace
 * Spring Boot's, which runs jobs on the caller's thread.
 */
public final class BackgroundJobOperator implements AutoCloseable {

	private final Job job;

	private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

	private final TaskExecutorJobOperator operator = new TaskExecutorJobOperator();

	public BackgroundJobOperator(Job job, JobRepository jobRepository, String threadNamePrefix) throws Exception {
		this.job = job;
		// such jobs mostly wait on Redis and processes: a few at a time are plenty, and the queue keeps the rest
		this.executor.setCorePoolSize(2);
		this.executor.setMaxPoolSize(2);
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

	/** Starts the job with these parameters; it runs on the pool, this answers at once. */
	public JobExecution start(JobParameters parameters) throws Exception {
		return this.operator.start(this.job, parameters);
	}

	@Override
	public void close() {
		this.executor.shutdown();
	}

}
