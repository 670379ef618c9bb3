package io.coffer.schedule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Makes Quartz's service-wide schedules match the files of {@code schedules/} at start-up: those of
 * new files added, changed ones replaced, those whose file is gone removed. A file the service cannot
 * use stops the start-up, naming the file and the line.
 */
@Component
class ServiceSchedules implements SmartInitializingSingleton {

	static final String GROUP = "service-schedules";

	private static final Logger log = LoggerFactory.getLogger(ServiceSchedules.class);

	private final Scheduler scheduler;

	private final ServiceJobs jobs;

	private final Path folder;

	ServiceSchedules(Scheduler scheduler, ServiceJobs jobs, ServiceSchedulesProperties properties) {
		this.scheduler = scheduler;
		this.jobs = jobs;
		this.folder = properties.schedulesDir();
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<ScheduleFile> files = read();
		try {
			reconcile(files);
		}
		catch (SchedulerException ex) {
			throw new IllegalStateException("cannot put the schedules of " + this.folder + " into Quartz: " + ex.getMessage(), ex);
		}
	}

	List<ScheduleFile> read() {
		if (!Files.isDirectory(this.folder)) {
			log.warn("No schedules folder at {} (coffer.schedules-dir): no service-wide job will run on a schedule",
					this.folder.toAbsolutePath());
			return List.of();
		}
		try (Stream<Path> paths = Files.list(this.folder)) {
			List<ScheduleFile> files = new ArrayList<>();
			for (Path path : paths.sorted().toList()) {
				String name = path.getFileName().toString();
				if (Files.isRegularFile(path) && (name.endsWith(".yml") || name.endsWith(".yaml"))) {
					files.add(ScheduleFile.read(path, this.jobs.names()));
				}
			}
			return files;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot list the schedules folder " + this.folder, ex);
		}
	}

	private void reconcile(List<ScheduleFile> files) throws SchedulerException {
		Set<JobKey> wanted = new HashSet<>();
		for (ScheduleFile file : files) {
			JobKey jobKey = JobKey.jobKey(file.name(), GROUP);
			wanted.add(jobKey);
			TriggerKey triggerKey = TriggerKey.triggerKey(file.name(), GROUP);
			Trigger existing = this.scheduler.getTrigger(triggerKey);
			JobDetail existingJob = this.scheduler.getJobDetail(jobKey);
			if (existing instanceof CronTrigger cron && cron.getCronExpression().equals(file.cron())
					&& cron.getTimeZone().hasSameRules(file.timeZone()) && existingJob != null
					&& file.job().equals(existingJob.getJobDataMap().getString(ServiceJobRun.JOB_NAME))) {
				continue;
			}
			JobDetail job = JobBuilder.newJob(ServiceJobRun.class)
				.withIdentity(jobKey)
				.withDescription((file.description() != null) ? file.description() : "runs " + file.job())
				.usingJobData(ServiceJobRun.JOB_NAME, file.job())
				.requestRecovery()
				.build();
			Trigger trigger = TriggerBuilder.newTrigger()
				.withIdentity(triggerKey)
				.forJob(jobKey)
				.withSchedule(CronScheduleBuilder.cronSchedule(file.cron())
					.inTimeZone(file.timeZone())
					.withMisfireHandlingInstructionFireAndProceed())
				.build();
			this.scheduler.scheduleJob(job, Set.of(trigger), true);
			log.info("Schedule {}: {} on '{}' ({})", file.name(), file.job(), file.cron(), file.timeZone().getID());
		}
		for (JobKey key : this.scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
			if (!wanted.contains(key)) {
				this.scheduler.deleteJob(key);
				log.info("Schedule {} removed: its file is gone from {}", key.getName(), this.folder);
			}
		}
	}

}
