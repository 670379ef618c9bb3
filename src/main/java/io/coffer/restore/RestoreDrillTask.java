package io.coffer.restore;

import io.coffer.archive.ArchiveContents;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * A restore drill: the latest good backup of each database (done, and not found damaged before; or of a
 * sample, those drilled longest ago first) goes through the restore machinery into a scratch
 * {@code redis-server}, then its keys per logical database are compared with the backup's. The outcome
 * is recorded on the backup; a backup that does not restore is announced. The databases themselves are
 * never touched.
 */
@Component
class RestoreDrillTask {

	private static final Logger log = LoggerFactory.getLogger(RestoreDrillTask.class);

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final DumpLoader loader;

	private final RedisConnections redis;

	private final DrillProperties settings;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final ScratchEngines scratchEngines;

	RestoreDrillTask(DatabaseRepository databases, BackupRepository backups, DumpLoader loader,
			RedisConnections redis, DrillProperties settings, ApplicationEventPublisher events, Clock clock,
			ScratchEngines scratchEngines) {
		this.scratchEngines = scratchEngines;
		this.databases = databases;
		this.backups = backups;
		this.loader = loader;
		this.redis = redis;
		this.settings = settings;
		this.events = events;
		this.clock = clock;
	}

	/** Drills the configured sample of databases. */
	Result run() {
		List<Backup> latest = new ArrayList<>();
		for (Database database : this.databases.findAllLive()) {
			this.backups.findLatestGood(database.id()).ifPresent(latest::add);
		}
		// never drilled first, then those drilled longest ago: a sample goes round every database in turn
		latest.sort(Comparator.comparing(Backup::integrityCheckedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
			.thenComparing(Backup::databaseId));
		int sampleSize = this.settings.sampleSize();
		List<Backup> sample = (sampleSize > 0 && sampleSize < latest.size()) ? latest.subList(0, sampleSize) : latest;
		return drill(sample);
	}

	/** Drills the latest good backup of each of these databases; those without one are left out. */
	Result drillDatabases(List<String> databaseIds) {
		return drill(databaseIds.stream()
			.map(this.backups::findLatestGood)
			.flatMap(Optional::stream)
			.toList());
	}

	private Result drill(List<Backup> sample) {
		List<String> passed = new ArrayList<>();
		List<String> failed = new ArrayList<>();
		List<String> notDrilled = new ArrayList<>();
		for (Backup backup : sample) {
			Outcome outcome = drill(backup);
			switch (outcome) {
				case PASSED -> passed.add(backup.id());
				case FAILED -> failed.add(backup.id());
				case NOT_DRILLED -> notDrilled.add(backup.id());
			}
		}
		return new Result(passed, failed, notDrilled);
	}

	private Outcome drill(Backup backup) {
		long started = System.nanoTime();
		String problem;
		ScratchEngines.Engine engine = this.scratchEngines.forBackup(backup);
		try (ScratchRedis scratch = ScratchRedis.start(engine.server(), this.settings.startTimeout())) {
			problem = restoreInto(backup, scratch.endpoint());
		}
		catch (ScratchRedis.ScratchUnavailableException ex) {
			log.warn("Restore drill of backup {} of {} did not run: {}", backup.id(), backup.databaseId(),
					ex.getMessage());
			return Outcome.NOT_DRILLED;
		}
		if (problem != null) {
			problem = problem + " (drilled on " + engine.name() + ")";
		}
		Instant now = this.clock.instant();
		this.backups.recordIntegrityCheck(backup.id(), problem, now);
		long millis = (System.nanoTime() - started) / 1_000_000;
		if (problem == null) {
			log.info("Restore drill of backup {} of {} passed on {} in {} ms", backup.id(), backup.databaseId(),
					engine.name(), millis);
			return Outcome.PASSED;
		}
		log.error("Restore drill of backup {} of {} failed: {}", backup.id(), backup.databaseId(), problem);
		this.events.publishEvent(new BackupDrillFailed(backup.databaseId(), backup.id(), backup.name(),
				backup.method(), problem, backup.createdAt(), now));
		return Outcome.FAILED;
	}

	/** Restores the backup into the scratch server: null when it restored whole, else what went wrong. */
	private String restoreInto(Backup backup, RedisEndpoint scratch) {
		try {
			RestoreSteps.checkFits(backup, RedisInfo.read(this.redis, scratch), scratch);
			// a scratch server dies with its instance: there is nothing to undo on it
			this.loader.load(backup, scratch, null, (journal) -> {
			});
			if (backup.keysPerDb() == null) {
				// an import: its keys were never counted, a load that Redis accepted is all there is to check
				return null;
			}
			Map<String, Long> expected = ArchiveContents.expectedKeys(backup);
			Map<String, Long> actual = RestoreSteps.keysOf(this.redis, scratch);
			if (!RestoreSteps.keysMatch(expected, this.backups.expiringKeys(backup.id()).orElse(Map.of()), actual)) {
				return "restore drill: the restored dump holds keys " + actual + " where backup " + backup.id()
						+ " recorded " + expected;
			}
			return null;
		}
		catch (RuntimeException ex) {
			return "restore drill: " + RestoreSteps.sentence(ex);
		}
	}

	private enum Outcome {

		PASSED, FAILED, NOT_DRILLED

	}

	/** Backup ids by outcome. */
	record Result(List<String> passed, List<String> failed, List<String> notDrilled) {

		String describe() {
			return passed.size() + " backups restored and matched, " + failed.size() + " failed"
					+ (failed.isEmpty() ? "" : " " + failed) + ", " + notDrilled.size() + " not drilled"
					+ (notDrilled.isEmpty() ? "" : " (no scratch redis-server: see the log)");
		}

	}

}
