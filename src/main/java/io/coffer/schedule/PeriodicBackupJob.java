package io.coffer.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.coffer.backup.BackupLauncher;
import io.coffer.backup.PeriodicBackupTaken;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupInProgress;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.RestoreInProgress;
import io.coffer.system.Conflict;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.quartz.QuartzJobBean;

/**
 * The Quartz-to-Batch bridge of periodic backups: a database's trigger fired (on one instance of the
 * cluster), so launch its {@code backupJob}. A backup already in flight makes this one a recorded skip.
 */
class PeriodicBackupJob extends QuartzJobBean {

	static final String DATABASE_ID = "databaseId";

	private static final Logger log = LoggerFactory.getLogger(PeriodicBackupJob.class);

	private final BackupLauncher launcher;

	private final BackupSkips skips;

	private final DatabaseSchedules schedules;

	private final Duration grace;

	private final Clock clock;

	PeriodicBackupJob(BackupLauncher launcher, BackupSkips skips, DatabaseSchedules schedules,
			ScheduleProperties settings, Clock clock) {
		this.launcher = launcher;
		this.skips = skips;
		this.schedules = schedules;
		this.grace = settings.misfireGrace();
		this.clock = clock;
	}

	@Override
	protected void executeInternal(JobExecutionContext context) {
		String databaseId = context.getTrigger().getJobDataMap().getString(DATABASE_ID);
		Instant due = context.getScheduledFireTime().toInstant();
		Instant now = this.clock.instant();
		// Quartz runs a late trigger only within its misfire threshold (the grace); checked again here
		// because a job recovered from a dead instance comes back with its original time.
		if (Duration.between(due, now).compareTo(this.grace) > 0) {
			this.skips.record(databaseId, due, now, "missed: the service was down at the scheduled time ("
					+ Duration.between(due, now).toMinutes() + " minutes late, more than the misfire grace)");
			return;
		}
		try {
			Backup backup = this.launcher.launchPeriodic(databaseId, due);
			log.info("Periodic backup {} of {} launched", backup.id(), databaseId);
		}
		catch (PeriodicBackupTaken ex) {
			// fired a second time (recovered by Quartz from an instance that was only slow): not a skip
			log.info("Periodic backup of {} due at {} not launched again: {}", databaseId, due, ex.getMessage());
		}
		catch (BackupInProgress ex) {
			this.skips.record(databaseId, due, now, "skipped: a backup of " + databaseId + " was already running");
		}
		catch (RestoreInProgress ex) {
			// its data was being replaced: the next run backs up what the restore brought
			this.skips.record(databaseId, due, now, "skipped: a restore into " + databaseId + " was running");
		}
		catch (Conflict ex) {
			this.skips.record(databaseId, due, now, "skipped: " + ex.getMessage());
		}
		catch (DatabaseNotFound ex) {
			log.info("Database {} is gone: removing its periodic backup", databaseId);
			this.schedules.remove(databaseId);
		}
	}

}
