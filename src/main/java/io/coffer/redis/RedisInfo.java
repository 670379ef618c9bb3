package io.coffer.redis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import redis.clients.jedis.Jedis;

/**
 * What the backup manifest records about the node: its version, keys per logical database
 * and memory figures.
 *
 * @param redisVersion the engine and version as the catalogue records them: {@code redis_version} for Redis
 * (e.g. {@code 7.0.15}), {@code valkey 8.0.1} for Valkey, whose {@code redis_version} (7.2.4) is only what it
 * reports for the clients that look at it
 * @param keysPerDatabase logical database index to number of keys, databases without keys omitted
 * @param usedMemory {@code used_memory} in bytes
 * @param maxMemory {@code maxmemory} in bytes, {@code 0} when unbounded
 */
public record RedisInfo(String redisVersion, Map<Integer, Long> keysPerDatabase, long usedMemory, long maxMemory) {

	public RedisInfo {
		keysPerDatabase = Collections.unmodifiableMap(new TreeMap<>(keysPerDatabase));
	}

	public static RedisInfo read(RedisConnections connections, RedisEndpoint node) {
		return connections.call(node, RedisInfo::read);
	}

	public static RedisInfo read(Jedis jedis) {
		// plain INFO holds the server, memory and keyspace sections
		return parse(jedis.info());
	}

	/** The engine as a person names it: "Redis 7.0.15", "Valkey 8.0.1"; null when the node reports no version. */
	public String engineLabel() {
		if (this.redisVersion == null) {
			return null;
		}
		return this.redisVersion.startsWith("valkey ") ? "Valkey " + this.redisVersion.substring("valkey ".length())
				: "Redis " + this.redisVersion;
	}

	public long totalKeys() {
		return this.keysPerDatabase.values().stream().mapToLong(Long::longValue).sum();
	}

	static RedisInfo parse(String info) {
		Map<String, String> fields = fields(info);
		Map<Integer, Long> keys = new TreeMap<>();
		fields.forEach((name, value) -> {
			if (name.matches("db\\d+")) {
				keys.put(Integer.parseInt(name.substring(2)), Long.parseLong(subField(value, "keys")));
			}
		});
		String version = (fields.get("valkey_version") != null) ? "valkey " + fields.get("valkey_version")
				: fields.get("redis_version");
		return new RedisInfo(version, keys, longField(fields, "used_memory"),
				longField(fields, "maxmemory"));
	}

	/** The ids in a {@code CLIENT LIST} answer, a line per connection starting {@code id=<n> }, in its order. */
	public static List<Long> clientIds(String clientList) {
		List<Long> ids = new ArrayList<>();
		for (String line : clientList.split("\n")) {
			if (line.startsWith("id=")) {
				int end = line.indexOf(' ');
				ids.add(Long.parseLong(line.substring(3, (end > 0) ? end : line.strip().length())));
			}
		}
		return ids;
	}

	/** The {@code name:value} lines of an INFO reply. */
	public static Map<String, String> fields(String info) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : info.split("\r?\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && !line.startsWith("#")) {
				fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return fields;
	}

	/** One entry of a compound value such as {@code keys=3,expires=0,avg_ttl=0}. */
	static String subField(String value, String name) {
		for (String part : value.split(",")) {
			int equals = part.indexOf('=');
			if (equals > 0 && part.substring(0, equals).equals(name)) {
				return part.substring(equals + 1);
			}
		}
		return null;
	}

	private static long longField(Map<String, String> fields, String name) {
		String value = fields.get(name);
		return (value != null) ? Long.parseLong(value) : 0;
	}

}
