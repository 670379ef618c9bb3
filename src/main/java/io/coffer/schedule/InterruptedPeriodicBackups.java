package io.coffer.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import io.coffer.backup.BackupLauncher;
import io.coffer.backup.PeriodicBackupTaken;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.InterruptedWork;
import io.coffer.catalog.StoppedInstances;
import io.coffer.system.Conflict;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Periodic backups that failed are run again while their schedule's misfire grace lasts: those of an instance
 * that was killed (recorded as interrupted by the kinds of work recovered before this one), and those that
 * failed on their own (object storage down), after {@code coffer.schedule.retry-backoff}, doubled at each
 * attempt. Quartz cannot do it: its job ended when it handed the backup to the launcher.
 * <p>
 * Exactly once: a failed row is taken up by a compare-and-set ({@code retried_at}), so that of two instances
 * one runs it again, and the launch is refused when a periodic backup created since it fell due is done or in
 * flight (a second firing of its trigger came first). Each round reads the recent failures only, through an
 * index, never the list of databases.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class InterruptedPeriodicBackups implements InterruptedWork {

	private static final Logger log = LoggerFactory.getLogger(InterruptedPeriodicBackups.class);

	private final BackupRepository backups;

	private final BackupLauncher launcher;

	private final Scheduler scheduler;

	private final Duration grace;

	private final Duration backoff;

	private final Clock clock;

	InterruptedPeriodicBackups(BackupRepository backups, BackupLauncher launcher, Scheduler scheduler,
			ScheduleProperties settings, Clock clock) {
		this.backups = backups;
		this.launcher = launcher;
		this.scheduler = scheduler;
		this.grace = settings.misfireGrace();
		this.backoff = settings.retryBackoff();
		this.clock = clock;
	}

	@Override
	public String kind() {
		return "periodic backups run again";
	}

	/** @return how many failed periodic backups this round ran again */
	@Override
	public int recover(StoppedInstances stopped) {
		Instant now = this.clock.instant();
		int launched = 0;
		for (BackupRepository.FailedPeriodic failed : this.backups.findFailedPeriodicSince(now.minus(this.grace))) {
			Optional<Instant> due = dueOf(failed);
			if (due.isEmpty() || Duration.between(due.get(), now).compareTo(this.grace) > 0) {
				continue;
			}
			Instant finished = (failed.finishedAt() != null) ? failed.finishedAt() : failed.createdAt();
			if (now.isBefore(finished.plus(backoffAfter(failed.attempt())))) {
				continue;
			}
			if (!this.backups.claimRetry(failed.id(), now)) {
				// another instance took it up
				continue;
			}
			try {
				Backup retry = this.launcher.retryPeriodic(failed.databaseId(), due.get(), failed.id(),
						failed.attempt() + 1);
				log.info("Periodic backup {} of {} failed ({}): running it again as {}, attempt {}", failed.id(),
						failed.databaseId(), failed.error(), retry.id(), failed.attempt() + 1);
				launched++;
			}
			catch (PeriodicBackupTaken | DatabaseNotFound ex) {
				// done meanwhile, or nothing left to back up: the claim stays, nothing is to run again
				log.info("Periodic backup {} of {} is not run again: {}", failed.id(), failed.databaseId(),
						ex.getMessage());
			}
			catch (Conflict ex) {
				// another backup, a restore, a plan change is running: the next round tries again
				this.backups.releaseRetry(failed.id());
				log.info("Periodic backup {} of {} is run again later: {}", failed.id(), failed.databaseId(),
						ex.getMessage());
			}
			catch (RuntimeException ex) {
				this.backups.releaseRetry(failed.id());
				throw ex;
			}
		}
		return launched;
	}

	/**
	 * When the failed backup fell due: its trigger's last firing, unless the trigger fired again since (a
	 * later run of an every-N-hours schedule is due instead, and this one is over).
	 */
	private Optional<Instant> dueOf(BackupRepository.FailedPeriodic failed) {
		try {
			Trigger trigger = this.scheduler.getTrigger(DatabaseSchedules.triggerKey(failed.databaseId()));
			if (trigger == null) {
				// its schedule was switched off
				return Optional.empty();
			}
			Date previous = trigger.getPreviousFireTime();
			if (previous == null) {
				return Optional.of(failed.createdAt());
			}
			Instant fired = previous.toInstant();
			// a row's creation is the second it was launched in (never earlier), or a later one
			return fired.isAfter(failed.createdAt().plusSeconds(1)) ? Optional.empty() : Optional.of(fired);
		}
		catch (SchedulerException ex) {
			throw new IllegalStateException(
					"cannot read the schedule of " + failed.databaseId() + ": " + ex.getMessage(), ex);
		}
	}

	/** The retry backoff doubled for each attempt after the first, never more than the grace. */
	private Duration backoffAfter(int attempt) {
		Duration delay = this.backoff;
		for (int i = 1; i < attempt && delay.compareTo(this.grace) < 0; i++) {
			delay = delay.multipliedBy(2);
		}
		return (delay.compareTo(this.grace) > 0) ? this.grace : delay;
	}

}
