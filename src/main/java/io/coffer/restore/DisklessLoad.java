package io.coffer.restore;

import java.util.Map;

import io.coffer.redis.RedisInfo;
import redis.clients.jedis.Jedis;

/**
 * How a target loads the dump it receives: from a file it writes first ({@code disk}, Redis' default), or
 * straight from the socket ({@code repl-diskless-load}) where that is safe. An empty target loads with
 * {@code on-empty-db}: a failed transfer leaves it empty, as it was. A target with data loads with
 * {@code swapdb} only when its memory holds twice the dataset (the old one is kept until the new one loaded
 * whole, so that a failed transfer leaves it its data); otherwise from disk. The target's own setting is put
 * back after the load, failed or not.
 */
final class DisklessLoad {

	static final String SETTING = "repl-diskless-load";

	static final String DISK = "disk";

	static final String DISKLESS_EMPTY = "diskless_empty";

	static final String DISKLESS_SWAPDB = "diskless_swapdb";

	private DisklessLoad() {
	}

	/**
	 * The way a target loads and why: {@code before} is its own value of {@link #SETTING} (null when it has
	 * none, and then it is left as it is), {@code value} the one it loads with.
	 */
	record Choice(String way, String before, String value, String why) {

		boolean changes() {
			return this.before != null && !this.before.equals(this.value);
		}

	}

	/**
	 * Chooses how {@code jedis}'s node loads a dump of {@code dumpSize} bytes.
	 * @param enabled {@code coffer.restore.diskless-load}
	 */
	static Choice choose(Jedis jedis, boolean enabled, long dumpSize) {
		String before = setting(jedis);
		if (before == null) {
			return new Choice(DISK, null, null, "the target has no " + SETTING + " setting");
		}
		RedisInfo info = RedisInfo.read(jedis);
		if (!enabled) {
			String own = switch (before) {
				case "swapdb" -> DISKLESS_SWAPDB;
				case "on-empty-db" -> (info.totalKeys() == 0) ? DISKLESS_EMPTY : DISK;
				default -> DISK;
			};
			return new Choice(own, before, before, "coffer.restore.diskless-load is off: the target loads as its own "
					+ SETTING + " (" + before + ") says");
		}
		if (info.totalKeys() == 0) {
			return new Choice(DISKLESS_EMPTY, before, "on-empty-db", "the target holds no key");
		}
		Map<String, String> memory = RedisInfo.fields(jedis.info("memory"));
		long host = parse(memory.get("total_system_memory"));
		long limit = (info.maxMemory() > 0) ? ((host > 0) ? Math.min(info.maxMemory(), host) : info.maxMemory()) : host;
		// the dump is the smallest form of the new dataset: the larger of both stands for it
		long twice = 2 * Math.max(info.usedMemory(), dumpSize);
		if (limit > 0 && twice <= limit) {
			return new Choice(DISKLESS_SWAPDB, before, "swapdb", "twice the dataset (" + twice + " bytes) fits in "
					+ ((info.maxMemory() > 0) ? "maxmemory" : "the host's memory") + " (" + limit + " bytes)");
		}
		return new Choice(DISK, before, "disabled", (limit > 0)
				? "twice the dataset (" + twice + " bytes) exceeds " + limit + " bytes: the old one cannot stay meanwhile"
				: "the target does not say how much memory it has");
	}

	/** Gives the node the value it loads with. */
	static void apply(Jedis jedis, Choice choice) {
		if (choice.changes()) {
			jedis.configSet(SETTING, choice.value());
		}
	}

	/** Gives the node its own value back. */
	static void putBack(Jedis jedis, String before) {
		if (before != null) {
			jedis.configSet(SETTING, before);
		}
	}

	private static String setting(Jedis jedis) {
		Map<String, String> values = jedis.configGet(SETTING);
		String value = (values != null) ? values.get(SETTING) : null;
		return (value == null || value.isBlank()) ? null : value;
	}

	private static long parse(String value) {
		try {
			return (value != null) ? Long.parseLong(value.trim()) : 0;
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}
