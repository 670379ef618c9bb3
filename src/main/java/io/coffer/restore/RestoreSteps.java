package io.coffer.restore;

import io.coffer.archive.ArchiveContents;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.coffer.archive.ArchiveReader;
import io.coffer.archive.BackupManifest;
import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.Restore;
import io.coffer.catalog.RestoreRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.pitr.PointInTimeReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * What each step of {@code restoreJob} does: fetch and check the archive, load it into the target,
 * verify the target. The job configuration only wires these to steps.
 */
@Component
class RestoreSteps {

	private static final Logger log = LoggerFactory.getLogger(RestoreSteps.class);

	/** The checks' entry of a restore of selected keys: its patterns and what it found, wrote or would write. */
	static final String SELECTION = "selection";

	private final RestoreRepository restores;

	private final BackupRepository backups;

	private final RestoreTargets targets;

	private final ArchiveReader archives;

	private final RedisConnections redis;

	private final DumpLoader loader;

	private final KeyRestore keys;

	private final JsonMapper json;

	private final Clock clock;

	private final PointInTimeReader pointInTime;

	RestoreSteps(RestoreRepository restores, BackupRepository backups, RestoreTargets targets, ArchiveReader archives,
			RedisConnections redis, DumpLoader loader, KeyRestore keys, JsonMapper json, Clock clock,
			PointInTimeReader pointInTime) {
		this.pointInTime = pointInTime;
		this.keys = keys;
		this.restores = restores;
		this.backups = backups;
		this.targets = targets;
		this.archives = archives;
		this.redis = redis;
		this.loader = loader;
		this.json = json;
		this.clock = clock;
	}

	/**
	 * Whether the backup can go into the target at all, judged from the target's own figures: its Redis
	 * reads the dump's RDB version, and the dump fits its {@code maxmemory}.
	 * @throws RestoreFailedException saying why not
	 */
	static void checkFits(Backup backup, RedisInfo target, RedisEndpoint node) {
		int readable = RdbVersions.maxLoadable(target.redisVersion());
		if (backup.rdbVersion() != null && !RdbVersions.loads(target.redisVersion(), backup.rdbVersion())) {
			String why = (backup.rdbVersion() > readable)
					? "RDB " + backup.rdbVersion() + " is newer than the " + readable + " that "
							+ RdbVersions.label(target.redisVersion()) + " reads"
					: RdbVersions.label(target.redisVersion()) + " does not read RDB " + backup.rdbVersion()
							+ ", a format of another engine";
			throw new RestoreFailedException("backup " + backup.id() + " is RDB " + backup.rdbVersion() + " (from "
					+ ((backup.redisVersion() != null) ? RdbVersions.label(backup.redisVersion()) : "an import")
					+ "): " + why + ", which the target " + node.address()
					+ " runs: upgrade the target first, or restore into a database on an engine that reads it",
					RestoreFailedException.UNTOUCHED);
		}
		// the dump is the smallest form of the data: if even that exceeds maxmemory, the dataset cannot fit
		if (target.maxMemory() > 0 && backup.rdbSize() != null && backup.rdbSize() > target.maxMemory()) {
			throw new RestoreFailedException("backup " + backup.id() + " holds a dump of " + backup.rdbSize()
					+ " bytes, more than the target's maxmemory of " + target.maxMemory() + " bytes: it cannot fit",
					RestoreFailedException.UNTOUCHED);
		}
	}

	/** Step 1: the archive read and checked whole, the target judged able to take it; nothing touched. */
	RedisEndpoint fetchAndCheck(String restoreId, String databaseId, long jobExecutionId, boolean verifyBeforeLoad)
			throws IOException {
		Restore restore = restore(databaseId, restoreId);
		this.restores.markRunning(restoreId, jobExecutionId, this.clock.instant());
		Backup backup = backup(restore);
		Database target = this.targets.database(restore.targetDatabase());
		RedisEndpoint node = this.targets.primary(target);
		RedisInfo info = RedisInfo.read(this.redis, node);
		Map<String, Object> checks = new LinkedHashMap<>();
		Map<String, Object> targetChecks = new LinkedHashMap<>();
		targetChecks.put("database", target.id());
		targetChecks.put("node", node.address());
		targetChecks.put("redis_version", info.redisVersion());
		targetChecks.put("max_rdb_version", RdbVersions.maxLoadable(info.redisVersion()));
		targetChecks.put("maxmemory", info.maxMemory());
		targetChecks.put("keys_before", info.totalKeys());
		checks.put("target", targetChecks);
		this.restores.recordChecks(restoreId, checks);
		checkFits(backup, info, node);
		if (Restore.NEW_DATABASE.equals(restore.target()) && info.totalKeys() > 0) {
			throw new RestoreFailedException("the new database " + target.id() + " is not empty (" + info.totalKeys()
					+ " keys): a restore to a new database only fills an empty one", RestoreFailedException.UNTOUCHED);
		}
		if (restore.selectsKeys() && Restore.NEW_DATABASE.equals(restore.target()) && !restore.dryRun()) {
			// the filtered dump is measured now, which reads and checks the whole archive as well
			checks.put(SELECTION, this.keys.measure(backup, KeyPatterns.of(restore.keyPatterns()),
					this.clock.millis(), RdbVersions.maxLoadable(info.redisVersion())));
		}
		else if (verifyBeforeLoad) {
			int maxRdb = RdbVersions.maxLoadable(info.redisVersion());
			try (ArchiveContents archive = ArchiveContents.open(this.archives, backup, maxRdb)) {
				archive.copyDump(OutputStream.nullOutputStream(), 0);
				checks.putAll(DumpSource.verified(backup, archive, archive.finish(this.json)));
			}
		}
		else {
			// one pass: checked while it streams, the dump's last bytes held back until all of it passed
			checks.put("archive", Map.of("checked", "while loading"));
		}
		this.restores.recordChecks(restoreId, checks);
		log.info("Restore {} of backup {}: archive checked; loading into {}", restoreId, backup.id(), node.address());
		return node;
	}

	/**
	 * Step 2: the target replicates from Coffer, which serves the dump as a one-shot primary, then becomes
	 * a primary again. Sentinels are held off meanwhile.
	 * @throws RestoreFailedException saying what happened and what state the target is in
	 */
	@SuppressWarnings("unchecked")
	void load(String restoreId, String databaseId, RedisEndpoint nodeWithoutPassword) {
		Restore restore = restore(databaseId, restoreId);
		Backup backup = backup(restore);
		Database target = this.targets.database(restore.targetDatabase());
		RedisEndpoint node = this.targets.credentials(target, nodeWithoutPassword);
		if (restore.selectsKeys()) {
			loadKeys(restore, backup, target, node);
			return;
		}
		Map<String, Object> loadChecks = new LinkedHashMap<>(restore.toPointInTime()
				? loadToPointInTime(restore, backup, target, node)
				: this.loader.load(backup, node, this.targets.sentinels(target),
						(journal) -> this.restores.recordRecovery(restoreId, journal)));
		// what the one pass verified is recorded where a verify-first read records it
		Object verified = loadChecks.remove(DumpSource.VERIFIED);
		if (verified instanceof Map<?, ?> found) {
			found.forEach((name, values) -> recordChecks(restoreId, (String) name, (Map<String, Object>) values));
		}
		recordChecks(restoreId, "load", loadChecks);
	}

	/**
	 * Step 2 of a restore to a point in time: the base backup's dump, then the commands archived after it up to
	 * that time, replayed as the replication stream that follows the dump.
	 */
	private Map<String, Object> loadToPointInTime(Restore restore, Backup base, Database target, RedisEndpoint node) {
		// the base chosen when the restore was asked for, even if a newer one was taken since
		PointInTimeReader.Plan from = this.pointInTime.planFrom(base, restore.pointInTime());
		Map<String, Object> checks = new LinkedHashMap<>(this.loader.loadAndReplay(base, node,
				this.targets.sentinels(target), (journal) -> this.restores.recordRecovery(restore.id(), journal),
				(out) -> this.pointInTime.replay(from, out).commands()));
		checks.put("at", restore.pointInTime().toString());
		checks.put("segments", from.segments().size());
		return checks;
	}

	/**
	 * Step 2 of a restore of selected keys: written in place (or counted, for a dry run), or, into a new
	 * database, the filtered dump measured in step 1 loaded as a whole dump is.
	 */
	private void loadKeys(Restore restore, Backup backup, Database target, RedisEndpoint node) {
		KeyPatterns patterns = KeyPatterns.of(restore.keyPatterns());
		if (Restore.NEW_DATABASE.equals(restore.target()) && !restore.dryRun()) {
			Map<String, Object> selection = selection(restore);
			long cutoff = ((Number) selection.get("cutoff_ms")).longValue();
			long size = ((Number) selection.get("size")).longValue();
			Map<String, Object> loadChecks = this.loader.load(backup, node, this.targets.sentinels(target),
					(journal) -> this.restores.recordRecovery(restore.id(), journal),
					this.keys.filtered(backup, patterns, cutoff, size));
			recordChecks(restore.id(), "load", loadChecks);
			return;
		}
		int maxRdb = RdbVersions.maxLoadable(RedisInfo.read(this.redis, node).redisVersion());
		if (!restore.dryRun()) {
			// what recovery needs to say what an interrupted restore left: some keys may be written
			this.restores.recordRecovery(restore.id(), Map.of(DumpLoader.JOURNAL_NODE, node.address(),
					KeyRestore.JOURNAL_KEYS, "writing"));
		}
		recordChecks(restore.id(), SELECTION,
				this.keys.inPlace(backup, node, patterns, restore.dryRun(), this.clock.millis(), maxRdb));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> selection(Restore restore) {
		Object selection = (restore.checks() != null) ? restore.checks().get(SELECTION) : null;
		if (!(selection instanceof Map<?, ?>)) {
			throw new IllegalStateException("restore " + restore.id() + " has no measured selection of keys");
		}
		return (Map<String, Object>) selection;
	}

	/** Step 3: the keys per logical database the target holds are those the backup recorded. */
	void verify(String restoreId, String databaseId, RedisEndpoint nodeWithoutPassword) {
		Restore restore = restore(databaseId, restoreId);
		Backup backup = backup(restore);
		Database target = this.targets.database(restore.targetDatabase());
		RedisEndpoint node = this.targets.credentials(target, nodeWithoutPassword);
		if (restore.selectsKeys() && (restore.dryRun() || Restore.IN_PLACE.equals(restore.target()))) {
			// the other keys of the target are its own: the key counts say nothing of the keys written
			this.restores.markDone(restoreId, this.clock.instant());
			log.info("Restore {} of selected keys of backup {} into {} is done", restoreId, backup.id(), node.address());
			return;
		}
		Map<String, Long> actual = keysOf(this.redis, node);
		if (restore.toPointInTime()) {
			// the base's key counts are those of its dump, which the commands replayed after it changed
			recordChecks(restoreId, "keys", Map.of("actual", actual, "skipped", "a restore to a point in time"
					+ " replays commands after its base backup " + backup.id() + ": the base's key counts do not apply"));
		}
		else if (restore.selectsKeys()) {
			verifySelection(restore, backup, actual);
		}
		else if (backup.keysPerDb() == null) {
			// an imported dump: nobody counted its keys, so there is nothing to compare with
			recordChecks(restoreId, "keys", Map.of("actual", actual, "skipped", "backup " + backup.id()
					+ " was imported: the number of keys it holds is not known, so it was not compared"));
		}
		else {
			Map<String, Long> expected = ArchiveContents.expectedKeys(backup);
			Map<String, Long> expiring = this.backups.expiringKeys(backup.id()).orElse(Map.of());
			boolean equal = keysMatch(expected, expiring, actual);
			recordChecks(restoreId, "keys", Map.of("expected", expected, "expiring", expiring, "actual", actual,
					"equal", equal));
			if (!equal) {
				throw new RestoreFailedException("the target holds keys " + actual + " where backup " + backup.id()
						+ " recorded " + expected, "the target holds the dump Redis loaded, but its key counts differ"
								+ " from the backup's: check its data before use");
			}
		}
		this.restores.markDone(restoreId, this.clock.instant());
		log.info("Restore {} of backup {} into {} is done: {}", restoreId, backup.id(), node.address(), actual);
	}

	/** A new database filled with selected keys holds the keys of the filtered dump, less expired ones. */
	@SuppressWarnings("unchecked")
	private void verifySelection(Restore restore, Backup backup, Map<String, Long> actual) {
		Map<String, Object> selection = selection(restore);
		Map<String, Long> expected = numbers((Map<String, Object>) selection.get("keys"));
		Map<String, Long> expiring = numbers((Map<String, Object>) selection.get("expiring"));
		boolean equal = keysMatch(expected, expiring, actual);
		recordChecks(restore.id(), "keys", Map.of("expected", expected, "expiring", expiring, "actual", actual,
				"equal", equal));
		if (!equal) {
			throw new RestoreFailedException("the target holds keys " + actual + " where the selected keys of backup "
					+ backup.id() + " are " + expected, "the target holds the dump Redis loaded, but its key counts"
							+ " differ from the selection's: check its data before use");
		}
	}

	private static Map<String, Long> numbers(Map<String, Object> values) {
		Map<String, Long> numbers = new java.util.TreeMap<>();
		if (values != null) {
			values.forEach((db, n) -> numbers.put(db, ((Number) n).longValue()));
		}
		return numbers;
	}

	/**
	 * Whether a target that loaded a dump holds its keys: per logical database, the dump's keys, less at
	 * most those of them that had a time to live (they may have expired since the backup).
	 */
	static boolean keysMatch(Map<String, Long> expected, Map<String, Long> expiring, Map<String, Long> actual) {
		Set<String> dbs = new TreeSet<>(expected.keySet());
		dbs.addAll(actual.keySet());
		for (String db : dbs) {
			long keys = expected.getOrDefault(db, 0L);
			long held = actual.getOrDefault(db, 0L);
			if (held > keys || held < keys - expiring.getOrDefault(db, 0L)) {
				return false;
			}
		}
		return true;
	}

	/** Keys per logical database, named as the manifest names them ({@code db0}). */
	static Map<String, Long> keysOf(RedisConnections redis, RedisEndpoint node) {
		return BackupManifest.perDb(RedisInfo.read(redis, node).keysPerDatabase());
	}

	private void recordChecks(String restoreId, String name, Map<String, Object> values) {
		Restore restore = this.restores.find(restoreDatabase(restoreId), restoreId).orElseThrow();
		Map<String, Object> checks = (restore.checks() != null) ? new LinkedHashMap<>(restore.checks())
				: new LinkedHashMap<>();
		checks.put(name, values);
		this.restores.recordChecks(restoreId, checks);
	}

	private String restoreDatabase(String restoreId) {
		return this.restores.databaseOf(restoreId);
	}

	private Restore restore(String databaseId, String restoreId) {
		return this.restores.find(databaseId, restoreId)
			.orElseThrow(() -> new IllegalStateException("restore " + restoreId + " is not in the catalogue"));
	}

	private Backup backup(Restore restore) {
		Backup backup = this.backups.find(restore.databaseId(), restore.backupId())
			.orElseThrow(() -> new IllegalStateException("backup " + restore.backupId() + " is not in the catalogue"));
		if (backup.status() != RunStatus.DONE) {
			throw new RestoreFailedException("backup " + backup.id() + " is " + backup.status().value()
					+ ": only a done backup can be restored", RestoreFailedException.UNTOUCHED);
		}
		return backup;
	}

	/** The most telling message in a chain of causes: ours are written for users. */
	static String sentence(Throwable cause) {
		if (cause == null) {
			return "the restore stopped without saying why; see the service log";
		}
		for (Throwable current = cause; current != null; current = current.getCause()) {
			if (current instanceof RestoreFailedException || current instanceof RedisAccessException
					|| current instanceof io.coffer.storage.BlobStoreException
					|| current instanceof io.coffer.crypto.IntegrityException
					|| current instanceof io.coffer.crypto.UnknownKeyException
					|| current instanceof io.coffer.pipeline.rdb.InvalidRdbException
					|| current instanceof ArchiveContents.ArchiveCheckException) {
				return current.getMessage();
			}
		}
		Throwable root = cause;
		while (root.getCause() != null && root.getMessage() == null) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

}
