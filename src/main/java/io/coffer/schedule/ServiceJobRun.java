package io.coffer.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.scheduling.quartz.QuartzJobBean;

/**
 * The Quartz-to-Batch bridge of the service-wide schedules: looks the job of the schedule file up by
 * name and runs it. One run at a time across the cluster ({@code @DisallowConcurrentExecution} holds
 * for the clustered store).
 */
@DisallowConcurrentExecution
class ServiceJobRun extends QuartzJobBean {

	static final String JOB_NAME = "jobName";

	private static final Logger log = LoggerFactory.getLogger(ServiceJobRun.class);

	private final ServiceJobs jobs;

	ServiceJobRun(ServiceJobs jobs) {
		this.jobs = jobs;
	}

	@Override
	protected void executeInternal(JobExecutionContext context) throws JobExecutionException {
		String name = context.getMergedJobDataMap().getString(JOB_NAME);
		try {
			JobExecution execution = this.jobs.run(name, "schedule " + context.getJobDetail().getKey().getName());
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				log.warn("Scheduled {} ended {}: {}", name, execution.getStatus(),
						execution.getExitStatus().getExitDescription());
			}
		}
		catch (Exception ex) {
			throw new JobExecutionException("scheduled " + name + " could not run: " + ex.getMessage(), ex, false);
		}
	}

}
