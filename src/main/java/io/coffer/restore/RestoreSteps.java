package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.coffer.backup.ArchiveReader;
import io.coffer.backup.BackupManifest;
import io.coffer.backup.RedisAccessException;
import io.coffer.backup.RedisConnections;
import io.coffer.backup.RedisEndpoint;
import io.coffer.backup.RedisInfo;
import io.coffer.backup.SentinelSet;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.Restore;
import io.coffer.catalog.RestoreRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.system.CofferProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * What each step of {@code restoreJob} does: fetch and check the archive, load it into the target,
 * verify the target. The job configuration only wires these to steps.
 */
@Component
class RestoreSteps {

	private static final Logger log = LoggerFactory.getLogger(RestoreSteps.class);

	/**
	 * Bytes of the dump kept back until the archive has been read to its end and found sound: a replica
	 * that never receives the whole payload discards it and keeps its data.
	 */
	private static final int HOLD_BACK = 8;

	private static final Duration POLL = Duration.ofMillis(100);

	private final RestoreRepository restores;

	private final BackupRepository backups;

	private final RestoreTargets targets;

	private final ArchiveReader archives;

	private final RedisConnections redis;

	private final JsonMapper json;

	private final CofferProperties.Restore settings;

	private final Clock clock;

	RestoreSteps(RestoreRepository restores, BackupRepository backups, RestoreTargets targets, ArchiveReader archives,
			RedisConnections redis, JsonMapper json, CofferProperties properties, Clock clock) {
		this.restores = restores;
		this.backups = backups;
		this.targets = targets;
		this.archives = archives;
		this.redis = redis;
		this.json = json;
		this.settings = properties.getRestore();
		this.clock = clock;
	}

	/**
	 * Whether the backup can go into the target at all, judged from the target's own figures: its Redis
	 * reads the dump's RDB version, and the dump fits its {@code maxmemory}.
	 * @throws RestoreFailedException saying why not
	 */
	static void checkFits(Backup backup, RedisInfo target, RedisEndpoint node) {
		int readable = RdbVersions.maxLoadable(target.redisVersion());
		if (backup.rdbVersion() != null && backup.rdbVersion() > readable) {
			throw new RestoreFailedException("the target " + node.address() + " runs Redis " + target.redisVersion()
					+ ", which reads RDB files up to version " + readable + "; backup " + backup.id()
					+ " is RDB version " + backup.rdbVersion() + " (from Redis " + backup.redisVersion()
					+ "): upgrade the target first", RestoreFailedException.UNTOUCHED);
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
		if (verifyBeforeLoad) {
			int maxRdb = RdbVersions.maxLoadable(info.redisVersion());
			try (RestoreArchive archive = RestoreArchive.open(this.archives, backup, maxRdb)) {
				archive.copyDump(OutputStream.nullOutputStream(), 0);
				BackupManifest manifest = archive.finish(this.json);
				checks.put("archive", Map.of("size", backup.archiveSize(), "sha256", backup.archiveSha256(),
						"authenticated", true, "sha256_matches_catalogue", true));
				checks.put("dump", Map.of("size", archive.dumpSize(), "rdb_version", archive.rdbVersion(), "crc64",
						"ok", "entries", List.of(RestoreArchive.DUMP, RestoreArchive.MANIFEST)));
				checks.put("manifest", Map.of("backup_id", String.valueOf(manifest.backupId()), "redis_version",
						String.valueOf(manifest.redisVersion()), "keys_per_db", manifest.keysPerDb()));
			}
		}
		else {
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
	void load(String restoreId, String databaseId, RedisEndpoint nodeWithoutPassword) {
		Restore restore = restore(databaseId, restoreId);
		Backup backup = backup(restore);
		Database target = this.targets.database(restore.targetDatabase());
		RedisEndpoint node = nodeWithoutPassword.withPassword(this.targets.password(target));
		Map<String, String> before = this.redis.call(node, (jedis) -> RedisInfo.fields(jedis.info("replication")));
		int maxRdb = RdbVersions.maxLoadable(this.redis.call(node, RedisInfo::read).redisVersion());
		Map<String, Object> loadChecks = new LinkedHashMap<>();
		SentinelSet sentinels = this.targets.sentinels(target);
		SentinelHold hold = null;
		Phase phase = Phase.UNTOUCHED;
		long started = System.nanoTime();
		String failure = null;
		try (OneShotPrimary listener = new OneShotPrimary(this.settings.getListenAddress(),
				this.settings.getListenPort());
				RestoreArchive archive = RestoreArchive.open(this.archives, backup, maxRdb)) {
			if (sentinels != null) {
				hold = SentinelHold.hold(this.redis, sentinels, this.settings.getLoadTimeout());
				loadChecks.put("sentinels_held", hold.heldCount());
			}
			String host = this.settings.effectiveAdvertisedHost();
			this.redis.call(node, (jedis) -> jedis.replicaof(host, listener.port()));
			phase = Phase.REPLICATING;
			log.info("Restore {}: {} replicates from Coffer at {}:{}", restoreId, node.address(), host, listener.port());
			OutputStream out = listener.awaitSync(archive.dumpSize(), this.settings.getConnectTimeout());
			byte[] last = archive.copyDump(out, HOLD_BACK);
			out.flush();
			archive.finish(this.json);
			out.write(last);
			out.flush();
			phase = Phase.SENT;
			awaitLoaded(node, host, listener, out);
			phase = Phase.LOADED;
			becomePrimaryAgain(node, before);
			phase = Phase.DONE;
			loadChecks.put("bytes_sent", archive.dumpSize());
			loadChecks.put("seconds", (System.nanoTime() - started) / 1_000_000 / 1000.0);
		}
		catch (Exception ex) {
			failure = sentence(ex);
			String state = recover(node, before, phase, ex);
			if (hold != null) {
				releaseAfterFailure(hold, node);
				hold = null;
			}
			throw new RestoreFailedException(failure, state, ex);
		}
		finally {
			if (hold != null) {
				List<String> problems = hold.release(node);
				if (!problems.isEmpty()) {
					loadChecks.put("sentinel_problems", problems);
				}
			}
			if (failure == null) {
				recordChecks(restoreId, "load", loadChecks);
			}
		}
	}

	/** Step 3: the keys per logical database the target holds are those the backup recorded. */
	void verify(String restoreId, String databaseId, RedisEndpoint nodeWithoutPassword) {
		Restore restore = restore(databaseId, restoreId);
		Backup backup = backup(restore);
		Database target = this.targets.database(restore.targetDatabase());
		RedisEndpoint node = nodeWithoutPassword.withPassword(this.targets.password(target));
		Map<String, Long> expected = RestoreArchive.expectedKeys(backup);
		Map<String, Long> actual = new TreeMap<>();
		RedisInfo.read(this.redis, node).keysPerDatabase().forEach((index, count) -> actual.put("db" + index, count));
		boolean equal = expected.equals(actual);
		recordChecks(restoreId, "keys", Map.of("expected", expected, "actual", actual, "equal", equal));
		if (!equal) {
			throw new RestoreFailedException("the target holds keys " + actual + " where backup " + backup.id()
					+ " recorded " + expected, "the target holds the dump Redis loaded, but its key counts differ from"
							+ " the backup's: check its data before use");
		}
		this.restores.markDone(restoreId, this.clock.instant());
		log.info("Restore {} of backup {} into {} is done: {}", restoreId, backup.id(), node.address(), actual);
	}

	private void awaitLoaded(RedisEndpoint node, String host, OneShotPrimary listener, OutputStream out)
			throws IOException {
		long deadline = System.nanoTime() + this.settings.getLoadTimeout().toNanos();
		long nextPing = System.nanoTime() + OneShotPrimary.pingPeriod().toNanos();
		int failures = 0;
		while (true) {
			Map<String, String> info;
			try {
				info = infoWhileLoading(node);
				failures = 0;
			}
			catch (RuntimeException ex) {
				// a node busy loading may miss one answer; three in a row mean it is gone
				if (++failures >= 3) {
					throw ex;
				}
				info = Map.of();
			}
			if (String.valueOf(listener.port()).equals(info.get("master_port"))
					&& "up".equals(info.get("master_link_status")) && "0".equals(info.get("master_sync_in_progress"))
					&& "0".equals(info.get("loading"))) {
				return;
			}
			if (!info.isEmpty() && !String.valueOf(listener.port()).equals(info.get("master_port"))) {
				throw new IOException("the target stopped replicating from Coffer during the load (it now reports role "
						+ info.get("role") + "); was it reconfigured meanwhile?");
			}
			if (System.nanoTime() > deadline) {
				throw new IOException("the target did not finish loading the dump within "
						+ this.settings.getLoadTimeout().toSeconds() + " s");
			}
			if (System.nanoTime() > nextPing) {
				listener.ping(out);
				nextPing = System.nanoTime() + OneShotPrimary.pingPeriod().toNanos();
			}
			pause();
		}
	}

	/**
	 * {@code INFO}, which Redis answers while it loads a dump, on a connection that does not start with
	 * a {@code PING}, which it does not answer then.
	 */
	private Map<String, String> infoWhileLoading(RedisEndpoint node) {
		DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
			.password(node.password())
			.connectionTimeoutMillis((int) this.redis.connectTimeout().toMillis())
			.socketTimeoutMillis((int) this.redis.socketTimeout().toMillis())
			.clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
			.build();
		try (Jedis jedis = new Jedis(node.host(), node.port(), config)) {
			return RedisInfo.fields(jedis.info());
		}
		catch (RuntimeException ex) {
			throw RedisConnections.describe(node, ex);
		}
	}

	/** Back to the role the target had: a primary, or a replica of the primary it followed. */
	private void becomePrimaryAgain(RedisEndpoint node, Map<String, String> before) {
		if ("slave".equals(before.get("role")) && before.get("master_host") != null) {
			this.redis.call(node, (jedis) -> jedis.replicaof(before.get("master_host"),
					Integer.parseInt(before.get("master_port"))));
		}
		else {
			this.redis.call(node, (jedis) -> jedis.replicaofNoOne());
		}
	}

	/** Puts the target back to its role where it can be reached, and says what state it is in. */
	private String recover(RedisEndpoint node, Map<String, String> before, Phase phase, Exception cause) {
		if (phase == Phase.UNTOUCHED) {
			return RestoreFailedException.UNTOUCHED;
		}
		String reset;
		try {
			becomePrimaryAgain(node, before);
			reset = null;
		}
		catch (RuntimeException ex) {
			reset = RedisConnections.describe(node, ex).getMessage();
			log.warn("Could not end the replication of {} from Coffer: {}", node.address(), reset);
		}
		return switch (phase) {
			case REPLICATING -> (reset == null)
					? "the target did not receive the whole dump, which Redis then discards: it was made a primary"
							+ " again and kept the data it had before"
					: "the target could not be reached to end its replication from Coffer (" + reset + "); it never"
							+ " received the whole dump, so it kept the data it had (if it restarted, what its own"
							+ " persistence held); if it still reports role:slave, run REPLICAOF NO ONE on it";
			case SENT -> (reset == null)
					? "the target received the whole dump but did not finish loading it; it was made a primary again"
							+ " and its data may be partial: restore again before using it"
					: "the target stopped while loading the dump (" + reset + "); once it is back its data may be"
							+ " partial, empty, or the restored dump, depending on its persistence: check it and"
							+ " restore again before using it; if it reports role:slave, run REPLICAOF NO ONE on it";
			case LOADED -> "the target loaded the whole dump, but could not be made a primary again (" + reset
					+ "): run REPLICAOF NO ONE on it";
			default -> "the target's state is unknown: check it";
		};
	}

	private static void releaseAfterFailure(SentinelHold hold, RedisEndpoint node) {
		try {
			hold.release(node);
		}
		catch (RuntimeException ex) {
			log.warn("Could not release the sentinels after a failed restore of {}", node.address(), ex);
		}
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
					|| current instanceof io.coffer.pipeline.InvalidRdbException
					|| current instanceof RestoreArchive.ArchiveCheckException) {
				return current.getMessage();
			}
		}
		Throwable root = cause;
		while (root.getCause() != null && root.getMessage() == null) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

	private static void pause() {
		try {
			Thread.sleep(POLL.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for the target", ex);
		}
	}

	/** How far the load got: what a failure may have left on the target. */
	private enum Phase {

		UNTOUCHED, REPLICATING, SENT, LOADED, DONE

	}

}
