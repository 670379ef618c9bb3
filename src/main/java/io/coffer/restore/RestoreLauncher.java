package io.coffer.restore;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import io.coffer.catalog.BackupInProgress;
import io.coffer.catalog.BackupNotDone;
import io.coffer.catalog.BackupNotFound;
import io.coffer.catalog.DatabaseBusy;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.RestoreInProgress;
import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.Restore;
import io.coffer.catalog.RestoreRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.pitr.PointInTimeReader;
import io.coffer.system.CofferException;
import io.coffer.system.CofferInstance;
import io.coffer.system.InvalidRequest;
import io.coffer.system.JobLaunches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.stereotype.Service;

/**
 * Starts restores: checks what can be known at once (the backup, the target, whether the dump fits
 * it), records the {@code scheduled} row (which refuses a second restore of the same database or into
 * the same target, across every instance), then runs {@code restoreJob} on the bounded restore pool.
 */
@Service
public class RestoreLauncher {

	private static final Logger log = LoggerFactory.getLogger(RestoreLauncher.class);

	private static final String LATEST = "latest";

	private static final SecureRandom random = new SecureRandom();

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final RestoreRepository restores;

	private final RestoreTargets targets;

	private final RedisConnections redis;

	private final JobLaunches jobs;

	private final Job restoreJob;

	private final TaskExecutor executor;

	private final RestoreJobConfiguration.RestoreFailures failures;

	private final boolean verifyBeforeLoad;

	private final Clock clock;

	private final CofferInstance instance;

	private final DatabaseWork work;

	private final PointInTimeReader pointInTime;

	RestoreLauncher(DatabaseRepository databases, BackupRepository backups, RestoreRepository restores,
			RestoreTargets targets, RedisConnections redis, JobLaunches jobs,
			@Qualifier("restoreJob") Job restoreJob, @Qualifier("restoreExecutor") TaskExecutor executor,
			RestoreJobConfiguration.RestoreFailures failures, RestoreProperties settings, Clock clock,
			CofferInstance instance, DatabaseWork work, PointInTimeReader pointInTime) {
		this.work = work;
		this.pointInTime = pointInTime;
		this.databases = databases;
		this.backups = backups;
		this.restores = restores;
		this.targets = targets;
		this.redis = redis;
		this.jobs = jobs;
		this.restoreJob = restoreJob;
		this.executor = executor;
		this.failures = failures;
		this.verifyBeforeLoad = settings.verifyBeforeLoad();
		this.clock = clock;
		this.instance = instance;
	}

	/**
	 * The database a restore would load into: the database itself for {@code in_place}; for
	 * {@code new_database}, the registered database named by {@code targetDatabase} (its id) or by
	 * {@code app}. Until provisioning exists, a new database is one registered beforehand, empty.
	 * @throws CofferException {@code InvalidRequest} for an incomplete request, {@code DatabaseNotFound} when the
	 * target does not exist
	 */
	public String targetOf(String databaseId, String target, String app, String targetDatabase) {
		if (target == null || Restore.IN_PLACE.equals(target)) {
			return databaseId;
		}
		if (!Restore.NEW_DATABASE.equals(target)) {
			throw new InvalidRequest("target must be \"in_place\" or \"new_database\"");
		}
		if (targetDatabase != null && !targetDatabase.isBlank()) {
			return this.databases.findLive(targetDatabase)
				.map(Database::id)
				.orElseThrow(() -> new DatabaseNotFound(targetDatabase));
		}
		if (app == null || app.isBlank()) {
			throw new InvalidRequest("a restore to a new database names it: send \"app\" (the app of a"
					+ " registered, empty database) or \"target_database\" (its id)");
		}
		return this.databases.findAllLive()
			.stream()
			.filter((database) -> database.app().equals(app))
			.map(Database::id)
			.findFirst()
			.orElseThrow(() -> DatabaseNotFound.ofApp(app));
	}

	/**
	 * Schedules a restore and returns its row at once.
	 * @param backupRef a backup id, or {@code latest} for the latest good one (see {@link BackupRepository#findLatestGood})
	 * @param verifyBeforeLoad whether to read the archive whole before touching the target; null for the
	 * configured default
	 * @throws CofferException {@code DatabaseNotFound} or {@code BackupNotFound}; {@code RestoreInProgress} while
	 * another restore of the database or into the target is in flight, {@code BackupInProgress} while a backup
	 * of the target runs, {@code DatabaseBusy} while the target is still being provisioned or otherwise busy,
	 * {@code BackupNotDone}; {@link RestoreRefused} when the backup cannot go into the target
	 */
	public Restore launch(String databaseId, String backupRef, String target, String targetDatabaseId,
			Boolean verifyBeforeLoad) {
		return launch(databaseId, backupRef, target, targetDatabaseId, verifyBeforeLoad, null, null);
	}

	/**
	 * Schedules a restore of the keys matching {@code keys} (Redis glob patterns; null for the whole backup),
	 * as {@link #launch(String, String, String, String, Boolean)} does.
	 * @param dryRun for selected keys: count what would be written, and what the target holds already, and
	 * write nothing
	 * @throws CofferException {@code InvalidRequest} for an empty, too long or malformed pattern list, and for a
	 * dry run of a whole backup; the others as the whole restore's
	 */
	public Restore launch(String databaseId, String backupRef, String target, String targetDatabaseId,
			Boolean verifyBeforeLoad, List<String> keys, Boolean dryRun) {
		KeyPatterns patterns = (keys != null) ? KeyPatterns.of(keys) : null;
		boolean dry = Boolean.TRUE.equals(dryRun);
		if (dry && patterns == null) {
			throw new InvalidRequest("\"dry_run\" counts the keys a restore of selected keys would write: send"
					+ " \"keys\" with it");
		}
		String kind = checkTarget(databaseId, target, targetDatabaseId);
		return schedule(databaseId, backup(databaseId, backupRef), null, kind, targetDatabaseId, verifyBeforeLoad,
				patterns, dry);
	}

	/**
	 * Schedules a restore of the database as it was at {@code at}: the base backup the archived stream continues
	 * up to that time is loaded, then the commands archived up to it are replayed (see {@link PointInTimeReader}).
	 * @throws CofferException {@code PointInTimeRefused} when {@code at} is outside the recoverable window or in a
	 * gap; the others as {@link #launch(String, String, String, String, Boolean)}'s
	 */
	public Restore launchAt(String databaseId, Instant at, String target, String targetDatabaseId,
			Boolean verifyBeforeLoad) {
		String kind = checkTarget(databaseId, target, targetDatabaseId);
		PointInTimeReader.Plan plan = this.pointInTime.plan(databaseId, at);
		return schedule(databaseId, plan.base(), at, kind, targetDatabaseId, verifyBeforeLoad, null, false);
	}

	private String checkTarget(String databaseId, String target, String targetDatabaseId) {
		this.databases.findLive(databaseId).orElseThrow(() -> new DatabaseNotFound(databaseId));
		String kind = (target != null) ? target : Restore.IN_PLACE;
		if (Restore.NEW_DATABASE.equals(kind) && databaseId.equals(targetDatabaseId)) {
			throw new RestoreRefused("same_database",
					"the new database is the backup's own database: restore in_place instead");
		}
		return kind;
	}

	private Restore schedule(String databaseId, Backup backup, Instant at, String kind, String targetDatabaseId,
			Boolean verifyBeforeLoad, KeyPatterns patterns, boolean dry) {
		Database targetDatabase = this.databases.findLive(targetDatabaseId)
			.orElseThrow(() -> new DatabaseNotFound(targetDatabaseId));
		preflight(backup, targetDatabase, kind);
		Instant createdAt = this.clock.instant().truncatedTo(ChronoUnit.SECONDS);
		String restoreId = newId(createdAt);
		// an upgrade restarts the nodes one by one, the target among them; a TLS switch changes how the target
		// is reached, and a plan change moves its nodes
		this.work.startExclusively(targetDatabase.id(),
				EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE, DatabaseWork.Kind.TLS_SWITCH, DatabaseWork.Kind.PLAN_CHANGE),
				(work) -> DatabaseBusy.working(work + " of " + targetDatabase.id()
						+ " is in progress; restore into it once it is done"),
				(status) -> {
					refuseWhileBusy(targetDatabase.id(), status);
					try {
						if (at != null) {
							this.restores.insertScheduledAt(restoreId, databaseId, backup.id(), at, kind,
									targetDatabase.id(), createdAt, this.instance.id());
						}
						else {
							this.restores.insertScheduled(restoreId, databaseId, backup.id(), kind, targetDatabase.id(),
									createdAt, this.instance.id(), (patterns != null) ? patterns.patterns() : null, dry);
						}
					}
					catch (RestoreRepository.RestoreInFlightException ex) {
						throw new RestoreInProgress("a restore of " + databaseId + " (or into "
								+ targetDatabase.id() + ") is already running; wait for it to finish");
					}
					return restoreId;
				});
		boolean verify = (verifyBeforeLoad != null) ? verifyBeforeLoad : this.verifyBeforeLoad;
		try {
			this.jobs.submit(this.executor, this.restoreJob,
					new JobParametersBuilder().addString(RestoreJobConfiguration.DATABASE_ID, databaseId)
						.addString(RestoreJobConfiguration.RESTORE_ID, restoreId)
						.addString(RestoreJobConfiguration.VERIFY_BEFORE_LOAD, String.valueOf(verify), false)
						.toJobParameters(),
					(ex) -> {
						log.error("restoreJob could not start for restore {}", restoreId, ex);
						this.failures.record(restoreId, null, ex);
					});
		}
		catch (RejectedExecutionException ex) {
			this.failures.record(restoreId, null,
					new IllegalStateException("too many restores are waiting; this one was not started", ex));
		}
		return this.restores.find(databaseId, restoreId).orElseThrow();
	}

	private Backup backup(String databaseId, String backupRef) {
		if (backupRef == null || backupRef.isBlank() || LATEST.equals(backupRef)) {
			return this.backups.findLatestGood(databaseId)
				.orElseThrow(() -> BackupNotFound.noGoodBackup(this.backups.noGoodBackup(databaseId)));
		}
		Backup backup = this.backups.find(databaseId, backupRef)
			.orElseThrow(() -> new BackupNotFound(backupRef));
		if (backup.status() != RunStatus.DONE) {
			throw new BackupNotDone("backup " + backupRef + " is " + backup.status().value()
					+ ": only a done backup can be restored");
		}
		return backup;
	}

	/**
	 * Refuses while the target's nodes are not up yet or are being moved, and while a backup of the target runs:
	 * the restore would replace the data under the backup, which would then store neither the old data nor the
	 * new (a backup waits for a restore into its database in turn, in BackupLauncher).
	 */
	private void refuseWhileBusy(String targetId, String status) {
		if (DatabaseStatus.PROVISIONING.equals(status)) {
			throw DatabaseBusy.provisioning(
					"database " + targetId + " is still being provisioned; restore into it once it is running");
		}
		if (DatabaseStatus.UPDATING.equals(status)) {
			throw DatabaseBusy.updating(
					"the plan of " + targetId + " is being changed; restore into it once it is running");
		}
		this.work.inFlight(targetId, EnumSet.of(DatabaseWork.Kind.BACKUP)).ifPresent((backup) -> {
			throw new BackupInProgress("a backup of " + targetId + " is in progress; restore into it once it is done");
		});
	}

	/**
	 * What can be refused before anything starts. A target that does not answer now is not refused:
	 * the job says what it finds when it runs.
	 */
	private void preflight(Backup backup, Database target, String kind) {
		// checked again when the restore is recorded; said now, before the target is asked anything
		refuseWhileBusy(target.id(), target.status());
		RedisEndpoint node;
		RedisInfo info;
		try {
			node = this.targets.primary(target);
			info = RedisInfo.read(this.redis, node);
		}
		catch (RedisAccessException ex) {
			log.info("Restore of backup {} into {}: the target is not reachable now ({}); the job will retry",
					backup.id(), target.id(), ex.getMessage());
			return;
		}
		try {
			RestoreSteps.checkFits(backup, info, node);
		}
		catch (RestoreFailedException ex) {
			throw new RestoreRefused("target_incompatible", ex.getMessage());
		}
		if (Restore.NEW_DATABASE.equals(kind) && info.totalKeys() > 0) {
			throw new RestoreRefused("target_not_empty", "the new database " + target.id() + " holds "
					+ info.totalKeys() + " keys: a restore to a new database only fills an empty one");
		}
	}

	/** 24 hex digits: the creation second, then random bits, like backup ids. */
	private static String newId(Instant createdAt) {
		byte[] tail = new byte[8];
		random.nextBytes(tail);
		return String.format("%08x", createdAt.getEpochSecond()) + HexFormat.of().formatHex(tail);
	}

}
