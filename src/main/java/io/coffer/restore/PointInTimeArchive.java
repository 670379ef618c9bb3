package io.coffer.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

import io.coffer.archive.ArchiveFormat;
import io.coffer.archive.BackupManifest;
import io.coffer.archive.PlainArchiveWriter;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.pipeline.rdb.RdbCheckingInputStream;
import io.coffer.pipeline.rdb.RdbSummary;
import io.coffer.pitr.PointInTimeReader;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Service;

/**
 * A database as of a point in time, as a standard archive ({@code .tar.gz} of {@code dump.rdb} and
 * {@code backup.json}, method {@value #METHOD}): its base backup and the archived commands up to that time are
 * loaded into a scratch server (the drills' machinery, on the base's engine), which then dumps its dataset.
 */
@Service
public class PointInTimeArchive {

	/** The method its {@code backup.json} names. */
	public static final String METHOD = "point_in_time";

	private static final Logger log = LoggerFactory.getLogger(PointInTimeArchive.class);

	private final PointInTimeReader reader;

	private final DatabaseRepository databases;

	private final DumpLoader loader;

	private final ScratchEngines engines;

	private final DrillProperties drills;

	private final RedisConnections redis;

	private final JsonMapper json;

	PointInTimeArchive(PointInTimeReader reader, DatabaseRepository databases, DumpLoader loader,
			ScratchEngines engines, DrillProperties drills, RedisConnections redis, JsonMapper json) {
		this.reader = reader;
		this.databases = databases;
		this.loader = loader;
		this.engines = engines;
		this.drills = drills;
		this.redis = redis;
		this.json = json;
	}

	/**
	 * What the archive will be made of; asked before anything is sent, so that a time that cannot be recovered
	 * is refused with a proper answer.
	 * @throws io.coffer.pitr.PointInTimeRefused outside the recoverable window or in a gap
	 */
	public PointInTimeReader.Plan plan(String databaseId, Instant at) {
		this.databases.findLive(databaseId).orElseThrow(() -> new DatabaseNotFound(databaseId));
		return this.reader.plan(databaseId, at);
	}

	/** The archive's file name: the database and the time, as a download saves it. */
	public static String fileName(PointInTimeReader.Plan plan) {
		return plan.databaseId() + "-" + plan.at().toString().replace(':', '-') + ".tar.gz";
	}

	/** Makes the archive and writes it to {@code out}; the scratch server is gone when it returns. */
	public void write(PointInTimeReader.Plan plan, OutputStream out) throws IOException {
		Database database = this.databases.findLive(plan.databaseId())
			.orElseThrow(() -> new DatabaseNotFound(plan.databaseId()));
		ScratchEngines.Engine engine = this.engines.forBackup(plan.base());
		long started = System.nanoTime();
		try (ScratchRedis scratch = ScratchRedis.start(engine.server(), this.drills.startTimeout())) {
			long replayed = replayInto(plan, scratch);
			String version = RedisInfo.read(this.redis, scratch.endpoint()).redisVersion();
			Path dump = scratch.save();
			long length = Files.size(dump);
			Checked checked = check(dump, length);
			BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, null, database.id(),
					database.app(), plan.at(), null, version, checked.summary().rdbVersion(), length, checked.sha256(),
					BackupManifest.perDb(checked.summary().keysPerDb()), METHOD,
					BackupManifest.perDb(checked.summary().expiringKeysPerDb()), null);
			try (InputStream rdb = Files.newInputStream(dump)) {
				PlainArchiveWriter.write(out, rdb, length, this.json.writeValueAsBytes(manifest), plan.at());
			}
			log.info("Archive of {} as of {}: base {} and {} commands replayed on {}, {} bytes of dump, in {} ms",
					database.id(), plan.at(), plan.base().id(), replayed, engine.name(), length,
					(System.nanoTime() - started) / 1_000_000);
		}
	}

	/**
	 * Loads the plan's base into {@code scratch} and replays its commands after it, as the download and the drill
	 * of a window do; answers the commands replayed.
	 */
	long replayInto(PointInTimeReader.Plan plan, ScratchRedis scratch) {
		// a scratch server dies with its instance: there is nothing to undo on it
		return (long) this.loader.loadAndReplay(plan.base(), scratch.endpoint(), null, (journal) -> {
		}, (commands) -> this.reader.replay(plan, commands).commands()).get("replayed");
	}

	private record Checked(RdbSummary summary, String sha256) {
	}

	/** The dump the scratch server wrote, parsed whole (its keys counted) and its SHA-256 taken. */
	private static Checked check(Path dump, long length) throws IOException {
		MessageDigest sha256;
		try {
			sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		RdbCheckingInputStream rdb = new RdbCheckingInputStream(Files.newInputStream(dump),
				ArchiveFormat.NEWEST_RDB_VERSION, length);
		try (InputStream in = new DigestInputStream(rdb, sha256)) {
			in.transferTo(OutputStream.nullOutputStream());
		}
		if (!rdb.isVerified()) {
			throw new IOException("the scratch server's dump ended before it could be checked");
		}
		return new Checked(rdb.summary(), HexFormat.of().formatHex(sha256.digest()));
	}

}
