package io.coffer.schedule;

import java.time.Instant;
import java.util.Date;

import io.coffer.housekeeping.RecoverInterruptedWorkTask;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;

import org.springframework.test.context.DynamicPropertyRegistry;

/** A database's periodic backup falling due now, and the recovery rounds that follow it, for the tests of one instance. */
final class PeriodicFiring {

	private PeriodicFiring() {
	}

	/** A failed periodic backup is run again a second after it failed, doubled at each attempt, for five minutes. */
	static void retrySoon(DynamicPropertyRegistry registry) {
		registry.add("coffer.schedule.retry-backoff", () -> "1s");
		registry.add("coffer.schedule.misfire-grace", () -> "5m");
	}

	/**
	 * Replaces the database's periodic trigger by one that fires in half a second (and every day after, so that
	 * it stays, with its last firing, as a nightly one does), and runs the recovery round every 200 ms from now
	 * on (as the recovery schedule does, every minute), for five minutes. Answers when it falls due.
	 */
	static Instant fireNow(Scheduler scheduler, RecoverInterruptedWorkTask recovery, String db)
			throws SchedulerException {
		Instant due = Instant.now().plusMillis(500);
		scheduler.unscheduleJob(DatabaseSchedules.triggerKey(db));
		scheduler.scheduleJob(TriggerBuilder.newTrigger()
			.withIdentity(DatabaseSchedules.triggerKey(db))
			.forJob(DatabaseSchedules.JOB)
			.usingJobData(PeriodicBackupJob.DATABASE_ID, db)
			.startAt(Date.from(due))
			.withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInHours(24).repeatForever())
			.build());
		long end = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
		Thread rounds = new Thread(() -> {
			// for as long as a test of this class may take: the context may be closed by then
			while (System.nanoTime() < end) {
				try {
					recovery.run();
				}
				catch (RuntimeException ex) {
					// a round that failed (the catalogue away) is followed by the next
				}
				try {
					Thread.sleep(200);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}, "recovery-rounds-" + db);
		rounds.setDaemon(true);
		rounds.start();
		return due;
	}

}
