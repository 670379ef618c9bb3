package io.coffer.schedule;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.coffer.system.CofferException;
import io.coffer.system.JobNotStarted;

import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * The service-wide jobs by name, and their launches: from a schedule (on the Quartz thread, which
 * waits for the end) or from the API (in the background, answering at once with the execution).
 */
@Component
public class ServiceJobs implements DisposableBean {

	static final String LAUNCHED_AT = "launchedAt";

	static final String LAUNCHED_BY = "launchedBy";

	private final Map<String, Job> jobs;

	private final JobOperator jobOperator;

	private final TaskExecutorJobOperator backgroundOperator;

	private final SimpleAsyncTaskExecutor background = new SimpleAsyncTaskExecutor("service-job-");

	private final Clock clock;

	ServiceJobs(@ServiceJob ObjectProvider<Job> jobs, JobOperator jobOperator, JobRepository jobRepository, Clock clock)
			throws Exception {
		this.jobs = jobs.orderedStream().collect(Collectors.toMap(Job::getName, Function.identity(), (a, b) -> a, TreeMap::new));
		this.jobOperator = jobOperator;
		this.clock = clock;
		// Not a bean: a second JobOperator bean would replace Spring Boot's.
		MapJobRegistry registry = new MapJobRegistry();
		for (Job job : this.jobs.values()) {
			registry.register(job);
		}
		this.backgroundOperator = new TaskExecutorJobOperator();
		this.backgroundOperator.setJobRegistry(registry);
		this.backgroundOperator.setJobRepository(jobRepository);
		this.backgroundOperator.setTaskExecutor(this.background);
		this.backgroundOperator.afterPropertiesSet();
	}

	public Set<String> names() {
		return this.jobs.keySet();
	}

	public Optional<Job> find(String name) {
		return Optional.ofNullable(this.jobs.get(name));
	}

	/** Runs the job to its end on this thread. */
	JobExecution run(String name, String launchedBy) throws Exception {
		return this.jobOperator.start(job(name), parameters(launchedBy));
	}

	/** Starts the job in the background and returns its execution at once. */
	public JobExecution launch(String name, String launchedBy) {
		try {
			return this.backgroundOperator.start(job(name), parameters(launchedBy));
		}
		catch (CofferException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new JobNotStarted("the job " + name, ex);
		}
	}

	private Job job(String name) {
		return find(name).orElseThrow(() -> new JobNotFound(
				"job " + name + " (service-wide jobs: " + String.join(", ", names()) + ")"));
	}

	/** Each launch is a new instance of the job: its identifying parameter is the time of the launch. */
	private JobParameters parameters(String launchedBy) {
		return new JobParametersBuilder().addLong(LAUNCHED_AT, this.clock.millis())
			.addString(LAUNCHED_BY, launchedBy, false)
			.toJobParameters();
	}

	@Override
	public void destroy() {
		this.background.close();
	}

}
