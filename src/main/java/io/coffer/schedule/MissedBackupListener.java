package io.coffer.schedule;

import java.time.Clock;
import java.time.Duration;

import org.quartz.JobExecutionContext;
import org.quartz.Trigger;
import org.quartz.listeners.TriggerListenerSupport;

import org.springframework.stereotype.Component;

/**
 * Records a periodic backup that Quartz gave up on (later than the misfire grace: no instance was up,
 * or all were busy) as skipped, so that its owner sees that day's backup is missing and why.
 */
@Component
class MissedBackupListener extends TriggerListenerSupport {

	private final BackupSkips skips;

	private final Clock clock;

	MissedBackupListener(BackupSkips skips, Clock clock) {
		this.skips = skips;
		this.clock = clock;
	}

	@Override
	public String getName() {
		return "missedBackups";
	}

	@Override
	public void triggerMisfired(Trigger trigger) {
		if (!DatabaseSchedules.GROUP.equals(trigger.getKey().getGroup()) || trigger.getNextFireTime() == null) {
			return;
		}
		// Quartz calls this before moving the trigger on: its next fire time is the one missed.
		Duration late = Duration.between(trigger.getNextFireTime().toInstant(), this.clock.instant());
		String databaseId = trigger.getJobDataMap().getString(PeriodicBackupJob.DATABASE_ID);
		try {
			this.skips.record((databaseId != null) ? databaseId : trigger.getKey().getName(), trigger.getNextFireTime().toInstant(), this.clock.instant(),
					"missed: no instance of the service could start it on time (" + late.toMinutes()
							+ " minutes late, more than the misfire grace)");
		}
		catch (RuntimeException ex) {
			getLog().warn("Could not record the missed backup of {}", trigger.getKey().getName(), ex);
		}
	}

	@Override
	public boolean vetoJobExecution(Trigger trigger, JobExecutionContext context) {
		return false;
	}

}
