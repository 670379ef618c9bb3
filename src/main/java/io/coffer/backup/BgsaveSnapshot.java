package io.coffer.backup;

import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisInfo;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Snapshot mode {@code file}: has the node write its dump with {@code BGSAVE}, waits for it,
 * and reads the file, which must be reachable from here (same machine or a shared mount,
 * see the path mapping).
 */
public final class BgsaveSnapshot implements SnapshotSource {

	public static final String MODE = "file";

	public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

	private final RedisConnections connections;

	private final Duration timeout;

	private final Map<String, String> pathMapping;

	public BgsaveSnapshot(RedisConnections connections) {
		this(connections, DEFAULT_TIMEOUT, Map.of());
	}

	/**
	 * @param timeout how long the node may take to write its dump
	 * @param pathMapping folder prefixes as the node sees them, to the same folders as seen
	 * from here; empty when both see the same paths. A key {@code host:/folder} applies to the
	 * node of that host only, a key {@code /folder} to every node.
	 */
	public BgsaveSnapshot(RedisConnections connections, Duration timeout, Map<String, String> pathMapping) {
		this.connections = connections;
		this.timeout = timeout;
		this.pathMapping = Map.copyOf(pathMapping);
	}

	@Override
	public String mode() {
		return MODE;
	}

	@Override
	public Snapshot open(RedisEndpoint node) throws IOException {
		Path nodePath;
		try (Jedis jedis = this.connections.open(node)) {
			long deadline = System.nanoTime() + this.timeout.toNanos();
			// the node's clock, not ours: LASTSAVE is compared with it
			long requestedAt = Long.parseLong(jedis.time().get(0));
			Map<String, String> before = persistence(jedis);
			boolean scheduled = startBgsave(jedis, node, deadline);
			awaitCompletion(jedis, node, before, requestedAt, scheduled, deadline);
			String dir = jedis.configGet("dir").get("dir");
			String fileName = jedis.configGet("dbfilename").get("dbfilename");
			nodePath = Path.of(dir, fileName);
		}
		catch (RuntimeException ex) {
			throw RedisConnections.describe(node, ex);
		}
		Path localPath = localPath(node, nodePath);
		try {
			long size = Files.size(localPath);
			InputStream stream = Files.newInputStream(localPath);
			return new FileSnapshot(stream, size, node.address() + " (BGSAVE, " + localPath + ")");
		}
		catch (NoSuchFileException ex) {
			String where = localPath.equals(nodePath) ? nodePath.toString()
					: nodePath + " on the node, " + localPath + " here";
			throw new NoSuchFileException(localPath.toString(), null, "the dump written by Redis at " + node.address()
					+ " is not readable at " + where + ": is its data folder mounted here and the path mapping right?");
		}
	}

	/** Node-side path to local path, through the longest matching prefix of the mapping. */
	Path localPath(RedisEndpoint node, Path nodePath) {
		String hostPrefix = node.host() + ":";
		List<Map.Entry<String, String>> byLength = this.pathMapping.entrySet().stream()
			.filter((entry) -> !entry.getKey().contains(":") || entry.getKey().startsWith(hostPrefix))
			.map((entry) -> Map.entry(entry.getKey().substring(entry.getKey().indexOf(':') + 1), entry.getValue()))
			.sorted(Comparator.comparingInt((Map.Entry<String, String> entry) -> entry.getKey().length()).reversed())
			.toList();
		for (Map.Entry<String, String> mapping : byLength) {
			Path prefix = Path.of(mapping.getKey());
			if (nodePath.startsWith(prefix)) {
				return Path.of(mapping.getValue()).resolve(prefix.relativize(nodePath));
			}
		}
		return nodePath;
	}

	/** Starts our BGSAVE, waiting out someone else's; answers whether it was only scheduled. */
	private boolean startBgsave(Jedis jedis, RedisEndpoint node, long deadline) {
		while (true) {
			try {
				jedis.bgsave();
				return false;
			}
			catch (JedisDataException ex) {
				String message = String.valueOf(ex.getMessage());
				if (message.contains("already in progress")) {
					// that dump may predate our request: wait for it, then take ours
					awaitNoBgsave(jedis, node, deadline);
				}
				else if (message.contains("BGSAVE SCHEDULE")) {
					// an AOF rewrite is running: Redis starts our BGSAVE as soon as it ends
					jedis.bgsaveSchedule();
					return true;
				}
				else {
					throw RedisConnections.describeErrorReply(node, "BGSAVE: " + message, ex);
				}
			}
		}
	}

	private void awaitNoBgsave(Jedis jedis, RedisEndpoint node, long deadline) {
		while ("1".equals(persistence(jedis).get("rdb_bgsave_in_progress"))) {
			pause(node, deadline);
		}
	}

	/**
	 * Waits until a dump started after our request has ended. {@code rdb_saves} (Redis 7+)
	 * tells ours from one that finished just before; a scheduled BGSAVE may even start and
	 * end between two polls.
	 */
	private void awaitCompletion(Jedis jedis, RedisEndpoint node, Map<String, String> before, long requestedAt,
			boolean scheduled, long deadline) {
		boolean seenRunning = !scheduled;
		while (true) {
			Map<String, String> persistence = persistence(jedis);
			if ("1".equals(persistence.get("rdb_bgsave_in_progress"))) {
				seenRunning = true;
			}
			else if ("err".equals(persistence.get("rdb_last_bgsave_status"))
					&& (seenRunning || "ok".equals(before.get("rdb_last_bgsave_status")))) {
				throw new RedisAccessException(RedisAccessException.SNAPSHOT_FAILED, "BGSAVE failed on " + node.address()
						+ ": see the Redis log; e.g. its data folder is not writable");
			}
			else if ("ok".equals(persistence.get("rdb_last_bgsave_status"))
					&& savedSince(before, persistence, requestedAt, seenRunning)) {
				return;
			}
			pause(node, deadline);
		}
	}

	private static boolean savedSince(Map<String, String> before, Map<String, String> now, long requestedAt,
			boolean seenRunning) {
		if (before.containsKey("rdb_saves")) {
			return Long.parseLong(now.get("rdb_saves")) > Long.parseLong(before.get("rdb_saves"));
		}
		return seenRunning && Long.parseLong(now.get("rdb_last_save_time")) >= requestedAt;
	}

	private static Map<String, String> persistence(Jedis jedis) {
		return RedisInfo.fields(jedis.info("persistence"));
	}

	private void pause(RedisEndpoint node, long deadline) {
		if (System.nanoTime() > deadline) {
			throw new RedisAccessException(RedisAccessException.TIMEOUT,
					"BGSAVE on " + node.address() + " did not finish within " + ReplicationStreamSnapshot.seconds(this.timeout));
		}
		try {
			Thread.sleep(POLL_INTERVAL.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisAccessException(RedisAccessException.TIMEOUT,
					"interrupted while waiting for BGSAVE on " + node.address(), ex);
		}
	}

	private static final class FileSnapshot implements Snapshot {

		private final InputStream stream;

		private final long length;

		private final String description;

		FileSnapshot(InputStream stream, long length, String description) {
			this.stream = stream;
			this.length = length;
			this.description = description;
		}

		@Override
		public InputStream stream() {
			return this.stream;
		}

		@Override
		public long expectedLength() {
			return this.length;
		}

		@Override
		public String nodeDescription() {
			return this.description;
		}

		@Override
		public void close() throws IOException {
			this.stream.close();
		}

	}

}
