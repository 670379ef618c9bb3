package io.coffer.redisconfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import redis.clients.jedis.Jedis;

/**
 * How each setting of a {@link ConfigChange} is said to Redis, and how a node's effective configuration
 * is read back. The values are those of the platform: RDB at its three save points, AOF synced every
 * second, cache mode as {@code allkeys-lru} within the plan's memory.
 */
final class RedisSettings {

	static final String SAVE_POINTS = "900 1 300 10 60 10000";

	static final String CACHE_POLICY = "allkeys-lru";

	static final String NO_EVICTION = "noeviction";

	private static final Duration AOF_POLL = Duration.ofMillis(100);

	private RedisSettings() {
	}

	/**
	 * The CONFIG SET parameters and values the change comes to on one node, in the order they are set.
	 * @param maxmemory the bytes cache mode evicts above, or null to keep the node's own
	 */
	static Map<String, String> parameters(ConfigChange change, Long maxmemory) {
		Map<String, String> parameters = new LinkedHashMap<>();
		if (change.rdb() != null) {
			parameters.put("save", change.rdb() ? SAVE_POINTS : "");
		}
		if (change.aof() != null) {
			if (change.aof()) {
				parameters.put("appendfsync", "everysec");
			}
			parameters.put("appendonly", change.aof() ? "yes" : "no");
		}
		if (change.cacheMode() != null) {
			if (change.cacheMode() && maxmemory != null) {
				parameters.put("maxmemory", String.valueOf(maxmemory));
			}
			parameters.put("maxmemory-policy", change.cacheMode() ? CACHE_POLICY : NO_EVICTION);
		}
		if (change.timeout() != null) {
			parameters.put("timeout", String.valueOf(change.timeout()));
		}
		return parameters;
	}

	/**
	 * Sets the parameters one at a time (a failure names the one Redis refused), then, when AOF was
	 * turned on, waits for the rewrite that creates the file: until then the data is not in it.
	 */
	static void apply(Jedis jedis, Map<String, String> parameters, Duration aofTimeout) {
		for (Map.Entry<String, String> parameter : parameters.entrySet()) {
			try {
				jedis.configSet(parameter.getKey(), parameter.getValue());
			}
			catch (RuntimeException ex) {
				throw new IllegalStateException("Redis refused " + parameter.getKey() + " \"" + parameter.getValue()
						+ "\": " + ex.getMessage(), ex);
			}
		}
		if ("yes".equals(parameters.get("appendonly"))) {
			awaitAofRewrite(jedis, aofTimeout);
		}
	}

	private static void awaitAofRewrite(Jedis jedis, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			Map<String, String> persistence = RedisInfo.fields(jedis.info("persistence"));
			if ("0".equals(persistence.get("aof_rewrite_in_progress"))
					&& "0".equals(persistence.get("aof_rewrite_scheduled"))) {
				if ("err".equals(persistence.get("aof_last_bgrewrite_status"))) {
					throw new IllegalStateException("the AOF rewrite failed; see the Redis log");
				}
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the AOF rewrite did not finish within " + timeout.toSeconds() + " s");
			}
			try {
				Thread.sleep(AOF_POLL.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while waiting for the AOF rewrite", ex);
			}
		}
	}

	/**
	 * Writes the running configuration to the node's file, so that a restart keeps it. A node started
	 * without a file has nowhere to keep it: answers whether it was written.
	 */
	static boolean persist(Jedis jedis) {
		String configFile = RedisInfo.fields(jedis.info("server")).get("config_file");
		if (configFile == null || configFile.isBlank()) {
			return false;
		}
		jedis.configRewrite();
		return true;
	}

	/** The parameters whose running value differs from the one set, with both values. */
	static Map<String, String> mismatches(Jedis jedis, Map<String, String> parameters) {
		Map<String, String> running = jedis.configGet(parameters.keySet().toArray(String[]::new));
		Map<String, String> mismatches = new LinkedHashMap<>();
		parameters.forEach((name, expected) -> {
			String actual = running.get(name);
			if (!expected.equals(actual)) {
				mismatches.put(name, "\"" + actual + "\" instead of \"" + expected + "\"");
			}
		});
		return mismatches;
	}

	/** The effective configuration of one node, in one round trip. */
	static EffectiveConfig read(RedisConnections connections, RedisEndpoint node) {
		return connections.call(node, (jedis) -> EffectiveConfig.of(
				jedis.configGet("save", "appendonly", "maxmemory", "maxmemory-policy", "timeout", "port", "tls-port")));
	}

}
