package io.coffer.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Quartz's service-wide schedules follow the folder: added, changed, removed. */
class ServiceSchedulesTest extends IntegrationTest {

	@Autowired
	Scheduler scheduler;

	@Autowired
	ServiceJobs jobs;

	@TempDir
	Path folder;

	@AfterEach
	void backToTheRepositorysSchedules() {
		reconcile(Paths.get("schedules"));
	}

	@Test
	void schedulesAreAddedChangedAndRemovedToMatchTheFiles() throws Exception {
		Files.writeString(this.folder.resolve("retention.yml"), "job: retentionJob\ncron: \"0 45 6 * * ?\"\n");
		Files.writeString(this.folder.resolve("extra-sweep.yml"),
				"job: sweepOrphanObjectsJob\ncron: \"0 0 12 ? * SUN\"\ntime-zone: Europe/Paris\n");

		reconcile(this.folder);

		assertThat(this.scheduler.getJobKeys(GroupMatcher.jobGroupEquals(ServiceSchedules.GROUP)))
			.extracting(JobKey::getName)
			.containsExactlyInAnyOrder("retention", "extra-sweep");
		assertThat(cron("retention").getCronExpression()).isEqualTo("0 45 6 * * ?");
		assertThat(cron("extra-sweep").getTimeZone().getID()).isEqualTo("Europe/Paris");
		assertThat(this.scheduler.getJobDetail(JobKey.jobKey("extra-sweep", ServiceSchedules.GROUP))
			.getJobDataMap()
			.getString(ServiceJobRun.JOB_NAME)).isEqualTo("sweepOrphanObjectsJob");
	}

	private CronTrigger cron(String name) throws Exception {
		return (CronTrigger) this.scheduler.getTrigger(TriggerKey.triggerKey(name, ServiceSchedules.GROUP));
	}

	private void reconcile(Path schedules) {
		new ServiceSchedules(this.scheduler, this.jobs, new ServiceSchedulesProperties(schedules)).afterSingletonsInstantiated();
	}

}
