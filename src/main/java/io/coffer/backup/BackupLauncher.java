package io.coffer.backup;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.concurrent.RejectedExecutionException;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupInProgress;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseBusy;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.RestoreInProgress;
import io.coffer.system.CofferException;
import io.coffer.system.CofferInstance;
import io.coffer.system.JobLaunches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.stereotype.Service;

/**
 * Starts backups: records the {@code scheduled} row first (which is what refuses a second backup of
 * the same database, across every instance), then runs {@code backupJob} on the bounded backup pool.
 */
@Service
public class BackupLauncher {

	private static final Logger log = LoggerFactory.getLogger(BackupLauncher.class);

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final JobLaunches jobs;

	private final Job backupJob;

	private final TaskExecutor executor;

	private final BackupFailures failures;

	private final Clock clock;

	private final DatabaseWork work;

	private final CofferInstance instance;

	private final RunningBackups running;

	BackupLauncher(DatabaseRepository databases, BackupRepository backups, JobLaunches jobs,
			@Qualifier("backupJob") Job backupJob, @Qualifier("backupExecutor") TaskExecutor executor,
			BackupFailures failures, Clock clock, CofferInstance instance, DatabaseWork work, RunningBackups running) {
		this.running = running;
		this.work = work;
		this.databases = databases;
		this.backups = backups;
		this.jobs = jobs;
		this.backupJob = backupJob;
		this.executor = executor;
		this.failures = failures;
		this.clock = clock;
		this.instance = instance;
	}

	/**
	 * Schedules a backup of the database and returns its row at once.
	 * @throws CofferException {@code DatabaseNotFound}; {@code BackupInProgress} while another backup of it is in
	 * flight, {@code RestoreInProgress} while a restore into it is, {@code DatabaseBusy} while it is still being
	 * provisioned, while its plan is being changed, or while an upgrade or a TLS switch runs
	 */
	public Backup launch(String databaseId, String method) {
		return launch(databaseId, method, null, null, 1);
	}

	/**
	 * Schedules the periodic backup of the database that fell due at {@code due}, unless one created since then
	 * is done or in flight: checked under the database's lock with the insert, so that of two launches of one
	 * due backup (a trigger fired twice, a retry) exactly one runs.
	 * @throws PeriodicBackupTaken when that due backup is done or in flight already
	 * @throws CofferException as {@link #launch(String, String)}
	 */
	public Backup launchPeriodic(String databaseId, Instant due) {
		return launch(databaseId, Backup.PERIODIC, due, null, 1);
	}

	/**
	 * Runs the periodic backup {@code failedId}, due at {@code due}, again, as attempt number {@code attempt}.
	 * @throws PeriodicBackupTaken when that due backup is done or in flight already
	 * @throws CofferException as {@link #launch(String, String)}
	 */
	public Backup retryPeriodic(String databaseId, Instant due, String failedId, int attempt) {
		return launch(databaseId, Backup.PERIODIC, due, failedId, attempt);
	}

	private Backup launch(String databaseId, String method, Instant periodicDue, String retryOf, int attempt) {
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> new DatabaseNotFound(databaseId));
		Instant createdAt = creationSecond(databaseId);
		String backupId = BackupNames.newId(createdAt);
		this.running.started(backupId);
		try {
			startExclusively(database, databaseId, method, createdAt, backupId, periodicDue, retryOf, attempt);
		}
		catch (RuntimeException ex) {
			this.running.ended(backupId);
			throw ex;
		}
		try {
			this.jobs.submit(this.executor, this.backupJob,
					new JobParametersBuilder().addString(BackupJobConfiguration.DATABASE_ID, databaseId)
						.addString(BackupJobConfiguration.BACKUP_ID, backupId)
						.addString(BackupJobConfiguration.METHOD, method)
						.toJobParameters(),
					(ex) -> {
						log.error("backupJob could not start for backup {}", backupId, ex);
						try {
							this.failures.record(databaseId, backupId, ex);
						}
						finally {
							this.running.ended(backupId);
						}
					});
		}
		catch (RejectedExecutionException ex) {
			try {
				this.failures.record(databaseId, backupId, new IllegalStateException(
						"too many backups are waiting; this one was not started", ex));
			}
			finally {
				this.running.ended(backupId);
			}
		}
		return this.backups.find(databaseId, backupId).orElseThrow();
	}

	private void startExclusively(Database database, String databaseId, String method, Instant createdAt,
			String backupId, Instant periodicDue, String retryOf, int attempt) {
		// an upgrade restarts the node a backup reads from, a TLS switch changes how it is reached
		this.work.startExclusively(databaseId, EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE, DatabaseWork.Kind.TLS_SWITCH),
				(work) -> DatabaseBusy.working(
						work + " of " + databaseId + " is in progress; back it up once it is done"),
				(status) -> {
					if (DatabaseStatus.PROVISIONING.equals(status)) {
						// its nodes are not up yet: there is nothing to read
						throw DatabaseBusy.provisioning(
								"database " + databaseId + " is still being provisioned; back it up once it is running");
					}
					if (DatabaseStatus.UPDATING.equals(status)) {
						// its nodes are being added or removed: the node a backup would pick may be gone the next second
						throw DatabaseBusy.updating(
								"the plan of " + databaseId + " is being changed; back it up once it is running");
					}
					// a restore replaces the data a backup would read, and makes its node a replica of Coffer meanwhile;
					// a restore into the database waits for a backup of it in turn (RestoreLauncher)
					this.work.inFlight(databaseId, EnumSet.of(DatabaseWork.Kind.RESTORE)).ifPresent((restore) -> {
						throw new RestoreInProgress(
								"a restore into " + databaseId + " is in progress; back it up once it is done");
					});
					if (periodicDue != null && this.backups.periodicDoneOrInFlightSince(databaseId, periodicDue)) {
						throw new PeriodicBackupTaken("the periodic backup of " + databaseId + " due at " + periodicDue
								+ " is done or running already");
					}
					try {
						this.backups.insertScheduled(backupId, databaseId, createdAt,
								BackupNames.fileName(database, createdAt), method,
								BackupNames.objectKey(database, createdAt), this.instance.id(), retryOf, attempt);
					}
					catch (BackupRepository.BackupInFlightException ex) {
						throw new BackupInProgress(
								"a backup of " + databaseId + " is already running; wait for it to finish");
					}
					return backupId;
				});
	}

	/**
	 * This second, or the one after the database's newest backup: names and object keys carry the
	 * second, and two backups of one database must never share an object.
	 */
	Instant creationSecond(String databaseId) {
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.SECONDS);
		return this.backups.latestCreatedAt(databaseId)
			.map((latest) -> latest.plusSeconds(1))
			.filter((next) -> next.isAfter(now))
			.orElse(now);
	}

}
