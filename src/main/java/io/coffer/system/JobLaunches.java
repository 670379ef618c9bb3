package io.coffer.system;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * The one way every job of the service is launched, on the pool of its capability (each bounded, as a
 * capability's limit of concurrent work), in one of three manners:
 * <ul>
 * <li>{@link #run}: to its end on this thread (a schedule's Quartz thread, or a pool's own);</li>
 * <li>{@link #submit}: queued on the pool, its execution created when its turn comes, so that a long queue
 * (nightly backups) holds no Batch execution; for work whose row the catalogue already has;</li>
 * <li>{@link #start}: on the pool, answering its execution at once, as an API call that starts a job and
 * answers with its execution needs.</li>
 * </ul>
 * Every manner goes through Batch's own {@link JobOperator}: Spring Boot's (which runs on the caller's
 * thread) and, per pool, one {@link TaskExecutorJobOperator} over that pool. Those are not beans: a second
 * JobOperator bean would replace Spring Boot's.
 */
@Component
public class JobLaunches {

	private final JobOperator jobOperator;

	private final JobRepository jobRepository;

	private final Map<TaskExecutor, TaskExecutorJobOperator> background = new ConcurrentHashMap<>();

	JobLaunches(JobOperator jobOperator, JobRepository jobRepository) {
		this.jobOperator = jobOperator;
		this.jobRepository = jobRepository;
	}

	/** Runs the job to its end on this thread. */
	public JobExecution run(Job job, JobParameters parameters) throws Exception {
		return this.jobOperator.start(job, parameters);
	}

	/**
	 * Queues the job on the pool, where it runs to its end once a thread is free.
	 * @param notStarted told why when the job's turn came but it could not start
	 * @throws RejectedExecutionException when the pool's queue is full
	 */
	public void submit(TaskExecutor pool, Job job, JobParameters parameters, Consumer<Exception> notStarted) {
		pool.execute(() -> {
			try {
				run(job, parameters);
			}
			catch (Exception ex) {
				notStarted.accept(ex);
			}
		});
	}

	/** Starts the job on the pool and answers its execution at once. */
	public JobExecution start(TaskExecutor pool, Job job, JobParameters parameters) throws Exception {
		return this.background.computeIfAbsent(pool, this::operatorOver).start(job, parameters);
	}

	/**
	 * A capability's pool, for a bean: {@code threads} jobs at once, {@code queueCapacity} waiting, the rest
	 * refused. Not waited for at shutdown: recovery settles what an instance leaves when it stops.
	 */
	public static ThreadPoolTaskExecutor pool(int threads, int queueCapacity, String threadNamePrefix) {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setCorePoolSize(threads);
		executor.setMaxPoolSize(threads);
		executor.setQueueCapacity(queueCapacity);
		executor.setThreadNamePrefix(threadNamePrefix);
		executor.setWaitForTasksToCompleteOnShutdown(false);
		return executor;
	}

	private TaskExecutorJobOperator operatorOver(TaskExecutor pool) {
		TaskExecutorJobOperator operator = new TaskExecutorJobOperator();
		// jobs are handed over as objects, never looked up by name
		operator.setJobRegistry(new MapJobRegistry());
		operator.setJobRepository(this.jobRepository);
		operator.setTaskExecutor(pool);
		try {
			operator.afterPropertiesSet();
		}
		catch (Exception ex) {
			throw new IllegalStateException("no job operator over " + pool + ": " + ex.getMessage(), ex);
		}
		return operator;
	}

}
