package io.coffer.schedule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.TimeZone;

import io.coffer.backup.CatalogueRestored;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each database's periodic backup as a Quartz cron trigger (UTC) in the clustered store: daily at
 * the database's chosen hour, or, without a choice, at a fixed point of the nightly window derived
 * from its id; with {@code every_hours} below 24, again every that many hours from that time. Either
 * way databases are spread (over the hour, or over the window) so that a thousand of them never fork
 * at the same second.
 */
@Component
public class DatabaseSchedules {

	static final String GROUP = "database-backups";

	static final JobKey JOB = JobKey.jobKey("periodicBackup", GROUP);

	private static final Logger log = LoggerFactory.getLogger(DatabaseSchedules.class);

	private static final TimeZone UTC = TimeZone.getTimeZone(ZoneOffset.UTC);

	private final Scheduler scheduler;

	private final DatabaseRepository databases;

	private final ScheduleProperties settings;

	private final JdbcClient jdbc;

	/**
	 * Quartz's job store takes its lock ({@code qrtz_locks ... for update}) on the caller's connection, and
	 * Spring's store holds it only as long as the caller's transaction: without one, two instances starting
	 * together rewrote the same trigger at once (duplicate keys, a trigger left missing). Each change of a
	 * trigger therefore runs in a transaction of its own.
	 */
	private final TransactionTemplate triggerChange;

	DatabaseSchedules(Scheduler scheduler, DatabaseRepository databases, ScheduleProperties settings,
			JdbcClient jdbc, PlatformTransactionManager transactions) {
		this.scheduler = scheduler;
		this.databases = databases;
		this.settings = settings;
		this.jdbc = jdbc;
		this.triggerChange = new TransactionTemplate(transactions);
	}

	/** Every how many hours the database is backed up: 24 (once a day) unless its owner chose less. */
	public int everyHoursOf(String databaseId) {
		return this.jdbc.sql("select schedule_every_hours from databases where id = ?")
			.param(databaseId)
			.query(Integer.class)
			.optional()
			.orElse(24);
	}

	/** The time of day (UTC) the database's periodic backup starts. */
	public LocalTime timeOf(Database database) {
		if (database.scheduleHourUtc() != null) {
			return LocalTime.of(database.scheduleHourUtc(), 0).plusSeconds(spread(database.id(), 3600));
		}
		long window = Math.max(1, Math.min(this.settings.windowLength().toSeconds(), Duration.ofDays(1).toSeconds()));
		return this.settings.windowStart().plusSeconds(spread(database.id(), window));
	}

	/** When the database's next periodic backup is due, if it has one. */
	public Optional<Instant> nextRun(String databaseId) {
		try {
			Trigger trigger = this.scheduler.getTrigger(triggerKey(databaseId));
			return Optional.ofNullable(trigger).map(Trigger::getNextFireTime).map(java.util.Date::toInstant);
		}
		catch (SchedulerException ex) {
			throw new IllegalStateException("cannot read the schedule of " + databaseId + ": " + ex.getMessage(), ex);
		}
	}

	/** Creates, changes or removes the database's trigger so that it matches its row. */
	public void apply(Database database) {
		this.triggerChange.executeWithoutResult((status) -> applyInTransaction(database));
	}

	private void applyInTransaction(Database database) {
		TriggerKey key = triggerKey(database.id());
		try {
			if (!database.scheduleEnabled()) {
				this.scheduler.unscheduleJob(key);
				return;
			}
			Trigger wanted = trigger(database.id(), timeOf(database), everyHoursOf(database.id()));
			Trigger existing = this.scheduler.getTrigger(key);
			if (existing instanceof CronTrigger cron && cron.getCronExpression()
				.equals(((CronTrigger) wanted).getCronExpression()) && UTC.hasSameRules(cron.getTimeZone())) {
				return;
			}
			addJobIfAbsent();
			if (existing == null) {
				try {
					this.scheduler.scheduleJob(wanted);
					return;
				}
				catch (ObjectAlreadyExistsException ex) {
					// another instance made it meanwhile: make it ours below
				}
			}
			this.scheduler.rescheduleJob(key, wanted);
		}
		catch (SchedulerException ex) {
			throw new IllegalStateException("cannot schedule the backups of " + database.id() + ": " + ex.getMessage(),
					ex);
		}
	}

	public void remove(String databaseId) {
		this.triggerChange.executeWithoutResult((status) -> {
			try {
				this.scheduler.unscheduleJob(triggerKey(databaseId));
			}
			catch (SchedulerException ex) {
				throw new IllegalStateException("cannot unschedule " + databaseId + ": " + ex.getMessage(), ex);
			}
		});
	}

	/**
	 * At start-up, every live database gets the trigger its row asks for: databases registered before
	 * schedules existed, and a changed window, take effect without anyone calling the API.
	 */
	@EventListener(ApplicationReadyEvent.class)
	void reconcile() {
		try {
			addJobIfAbsent();
		}
		catch (SchedulerException ex) {
			log.error("The periodic backup job could not be stored in Quartz: {}", ex.getMessage());
		}
		for (Database database : this.databases.findAllLive()) {
			try {
				apply(database);
			}
			catch (RuntimeException ex) {
				log.error("Periodic backups of {} could not be scheduled: {}", database.id(), ex.getMessage());
			}
		}
	}

	/** A rebuild gave the catalogue its databases back: their triggers are made again, as at start-up. */
	@EventListener
	void catalogueRestored(CatalogueRestored restored) {
		reconcile();
	}

	static TriggerKey triggerKey(String databaseId) {
		return TriggerKey.triggerKey(databaseId, GROUP);
	}

	/**
	 * {@code s m h * * ?} once a day; every N hours, the hours of the day that are the chosen one plus a
	 * multiple of N ({@code s m 4/6 * * ?} fires at 4, 10, 16 and 22), so the chosen hour stays one of them.
	 */
	static String cron(LocalTime at, int everyHours) {
		String hours = (everyHours >= 24) ? Integer.toString(at.getHour())
				: (at.getHour() % everyHours) + "/" + everyHours;
		return at.getSecond() + " " + at.getMinute() + " " + hours + " * * ?";
	}

	private Trigger trigger(String databaseId, LocalTime at, int everyHours) {
		String cron = cron(at, everyHours);
		return TriggerBuilder.newTrigger()
			.withIdentity(triggerKey(databaseId))
			.forJob(JOB)
			.usingJobData(PeriodicBackupJob.DATABASE_ID, databaseId)
			.withDescription(((everyHours >= 24) ? "daily backup of " + databaseId
					: "backup every " + everyHours + " hours of " + databaseId) + " from " + at + " UTC")
			// misfired = later than the grace (the misfire threshold): not run that day, recorded as skipped
			.withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(UTC).withMisfireHandlingInstructionDoNothing())
			.build();
	}

	private void addJobIfAbsent() throws SchedulerException {
		if (this.scheduler.checkExists(JOB)) {
			return;
		}
		JobDetail job = JobBuilder.newJob(PeriodicBackupJob.class)
			.withIdentity(JOB)
			.withDescription("launches backupJob(method=periodic) of the trigger's database")
			.storeDurably()
			// a firing lost with its instance is run again by another
			.requestRecovery()
			.build();
		try {
			this.scheduler.addJob(job, false);
		}
		catch (ObjectAlreadyExistsException ex) {
			// another instance added it meanwhile
		}
	}

	/** A stable offset in {@code [0, range)} seconds from the database id. */
	static long spread(String databaseId, long range) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(databaseId.getBytes(StandardCharsets.UTF_8));
			long value = 0;
			for (int i = 0; i < 8; i++) {
				value = (value << 8) | (digest[i] & 0xff);
			}
			return Math.floorMod(value, range);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
