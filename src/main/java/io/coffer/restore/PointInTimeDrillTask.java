package io.coffer.restore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.coffer.catalog.PitrRepository;
import io.coffer.pitr.PointInTimeReader;
import io.coffer.pitr.PointInTimeRecovery;
import io.coffer.pitr.PointInTimeRefused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The drill of point-in-time recovery: for each database with it on, its latest window (from its base to the
 * last archived command) is replayed into a scratch server by the restore machinery, every segment downloaded
 * and checked, and the server must have applied all of it. A window that does not replay is announced as a
 * drill failure ({@code database_backup_drill_failed}, method {@value PointInTimeArchive#METHOD}, naming the
 * base); the databases themselves are never touched.
 */
@Component
class PointInTimeDrillTask {

	private static final Logger log = LoggerFactory.getLogger(PointInTimeDrillTask.class);

	private final PitrRepository pitr;

	private final PointInTimeRecovery recovery;

	private final PointInTimeReader reader;

	private final PointInTimeArchive windows;

	private final ScratchEngines engines;

	private final DrillProperties settings;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	PointInTimeDrillTask(PitrRepository pitr, PointInTimeRecovery recovery, PointInTimeReader reader,
			PointInTimeArchive windows, ScratchEngines engines, DrillProperties settings,
			ApplicationEventPublisher events, Clock clock) {
		this.pitr = pitr;
		this.recovery = recovery;
		this.reader = reader;
		this.windows = windows;
		this.engines = engines;
		this.settings = settings;
		this.events = events;
		this.clock = clock;
	}

	/** Database ids by outcome. */
	record Result(List<String> passed, List<String> failed, List<String> notDrilled) {

		String describe() {
			return this.passed.size() + " recoverable windows replayed, " + this.failed.size() + " failed"
					+ (this.failed.isEmpty() ? "" : " " + this.failed) + ", " + this.notDrilled.size()
					+ " not drilled (nothing archived yet, or no scratch server: see the log)";
		}

	}

	/** Drills every database with point-in-time recovery on. */
	Result run() {
		return drillDatabases(this.pitr.enabledDatabases());
	}

	Result drillDatabases(List<String> databaseIds) {
		Result result = new Result(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
		for (String databaseId : databaseIds) {
			PointInTimeRecovery.Status status = this.recovery.status(databaseId);
			if (status.recoverableTo() == null) {
				result.notDrilled().add(databaseId);
				continue;
			}
			switch (drill(databaseId, status.recoverableTo())) {
				case PASSED -> result.passed().add(databaseId);
				case FAILED -> result.failed().add(databaseId);
				case NOT_DRILLED -> result.notDrilled().add(databaseId);
			}
		}
		return result;
	}

	private enum Outcome {

		PASSED, FAILED, NOT_DRILLED

	}

	/** Replays the window up to {@code to} into a scratch server; a failure is announced. */
	private Outcome drill(String databaseId, Instant to) {
		PointInTimeReader.Plan plan;
		try {
			plan = this.reader.plan(databaseId, to);
		}
		catch (PointInTimeRefused ex) {
			log.error("Point-in-time drill of {}: its window cannot be replayed: {}", databaseId, ex.getMessage());
			this.events.publishEvent(new BackupDrillFailed(databaseId, null, null, PointInTimeArchive.METHOD,
					"point-in-time drill: " + ex.getMessage(), null, this.clock.instant()));
			return Outcome.FAILED;
		}
		String problem;
		ScratchEngines.Engine engine = this.engines.forBackup(plan.base());
		try (ScratchRedis scratch = ScratchRedis.start(engine.server(), this.settings.startTimeout())) {
			this.windows.replayInto(plan, scratch);
			problem = null;
		}
		catch (ScratchRedis.ScratchUnavailableException ex) {
			log.warn("Point-in-time drill of {} did not run: {}", databaseId, ex.getMessage());
			return Outcome.NOT_DRILLED;
		}
		catch (RuntimeException ex) {
			problem = "point-in-time drill: the window from base " + plan.base().id() + " to " + to
					+ " does not replay: " + RestoreSteps.sentence(ex) + " (drilled on " + engine.name() + ")";
		}
		if (problem == null) {
			log.info("Point-in-time drill of {}: base {} and {} segments up to {} replayed on {}", databaseId,
					plan.base().id(), plan.segments().size(), to, engine.name());
			return Outcome.PASSED;
		}
		log.error("Point-in-time drill of {} failed: {}", databaseId, problem);
		this.events.publishEvent(new BackupDrillFailed(databaseId, plan.base().id(), plan.base().name(),
				PointInTimeArchive.METHOD, problem, plan.base().createdAt(), this.clock.instant()));
		return Outcome.FAILED;
	}

}
