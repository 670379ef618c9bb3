package io.coffer.schedule;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.coffer.system.CofferException;
import io.coffer.system.JobLaunches;
import io.coffer.system.JobNotStarted;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
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

	/** The parameter of a launch for one database, which also lets that database's token follow it. */
	public static final String DATABASE_ID = "databaseId";

	private final Map<String, Job> jobs;

	private final JobLaunches launches;

	// a thread per launch, as before: an operator starts a service-wide job now and then
	private final SimpleAsyncTaskExecutor background = new SimpleAsyncTaskExecutor("service-job-");

	private final Clock clock;

	ServiceJobs(@ServiceJob ObjectProvider<Job> jobs, JobLaunches launches, Clock clock) {
		this.jobs = jobs.orderedStream().collect(Collectors.toMap(Job::getName, Function.identity(), (a, b) -> a, TreeMap::new));
		this.launches = launches;
		this.clock = clock;
	}

	public Set<String> names() {
		return this.jobs.keySet();
	}

	public Optional<Job> find(String name) {
		return Optional.ofNullable(this.jobs.get(name));
	}

	/** Runs the job to its end on this thread. */
	JobExecution run(String name, String launchedBy) throws Exception {
		return this.launches.run(job(name), parameters(launchedBy));
	}

	/** Starts the job in the background and returns its execution at once. */
	public JobExecution launch(String name, String launchedBy) {
		return launch(name, launchedBy, null);
	}

	/**
	 * Starts the job in the background for one database ({@code databaseId}, a job parameter of that name;
	 * null for all) and returns its execution at once.
	 */
	public JobExecution launch(String name, String launchedBy, String databaseId) {
		try {
			JobParameters parameters = parameters(launchedBy);
			if (databaseId != null) {
				parameters = new JobParametersBuilder(parameters).addString(DATABASE_ID, databaseId, false)
					.toJobParameters();
			}
			return this.launches.start(this.background, job(name), parameters);
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
