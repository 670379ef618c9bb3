package io.coffer.testsupport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Typed data with TTLs in several logical databases, and a full picture of a server's content
 * (every key's type, serialized value and TTL) to compare two servers with.
 */
public final class RedisDataset {

	private RedisDataset() {
	}

	/** {@link #write(Jedis)} through a connection of its own to the server. */
	public static void write(RedisServerProcess server) {
		try (Jedis jedis = server.jedis()) {
			write(jedis);
		}
	}

	/** Strings, hashes, lists, sets, sorted sets and a stream in databases 0, 1 and 4, some with TTLs. */
	public static void write(Jedis jedis) {
		for (int db : new int[] { 0, 1, 4 }) {
			jedis.select(db);
			for (int i = 0; i < 200; i++) {
				jedis.set("string:" + db + ":" + i, "value-" + i + "-" + "x".repeat(i % 50));
			}
			jedis.setex("expiring:" + db, 3600, "soon gone");
			Map<String, String> fields = new HashMap<>();
			for (int i = 0; i < 50; i++) {
				fields.put("field" + i, "v" + i);
			}
			jedis.hset("hash:" + db, fields);
			jedis.expire("hash:" + db, 7200);
			for (int i = 0; i < 100; i++) {
				jedis.rpush("list:" + db, "item" + i);
				jedis.sadd("set:" + db, "member" + i);
				jedis.zadd("zset:" + db, i * 1.5, "player" + i);
			}
			jedis.xadd("stream:" + db, StreamEntryID.NEW_ENTRY, Map.of("event", "signup", "db", String.valueOf(db)));
			jedis.set("big:" + db, "B".repeat(100_000));
		}
		jedis.select(0);
	}

	/**
	 * db index → key → "type|value|ttl bucket"; values in a canonical order (sets and hashes sorted,
	 * since their encoding order may change when a server reloads them); TTLs compared to ten minutes: the
	 * dataset's are whole hours, so a restore may take up to five minutes between two snapshots (a loaded
	 * machine) before a TTL changes its bucket, where rounding to the minute flipped after 30 s.
	 */
	public static Map<Integer, Map<String, String>> snapshot(Jedis jedis) {
		Map<Integer, Map<String, String>> content = new TreeMap<>();
		for (int db = 0; db < 16; db++) {
			try {
				jedis.select(db);
			}
			catch (RuntimeException ex) {
				break;
			}
			Map<String, String> keys = new TreeMap<>();
			String cursor = ScanParams.SCAN_POINTER_START;
			do {
				ScanResult<String> page = jedis.scan(cursor, new ScanParams().count(1000));
				for (String key : page.getResult()) {
					long ttl = jedis.pttl(key);
					String ttlBucket = (ttl < 0) ? String.valueOf(ttl) : "~" + (Math.round(ttl / 600_000.0) * 10) + "min";
					String type = jedis.type(key);
					keys.put(key, type + "|" + value(jedis, type, key) + "|" + ttlBucket);
				}
				cursor = page.getCursor();
			}
			while (!cursor.equals(ScanParams.SCAN_POINTER_START));
			if (!keys.isEmpty()) {
				content.put(db, keys);
			}
		}
		jedis.select(0);
		return content;
	}

	private static String value(Jedis jedis, String type, String key) {
		return switch (type) {
			case "string" -> jedis.get(key);
			case "hash" -> new TreeMap<>(jedis.hgetAll(key)).toString();
			case "list" -> jedis.lrange(key, 0, -1).toString();
			case "set" -> new java.util.TreeSet<>(jedis.smembers(key)).toString();
			case "zset" -> jedis.zrangeWithScores(key, 0, -1).toString();
			case "stream" -> jedis.xrange(key, (StreamEntryID) null, (StreamEntryID) null).toString();
			default -> java.util.HexFormat.of().formatHex(jedis.dump(key));
		};
	}

	/** The keys whose type, value or TTL differ between two snapshots, each with both sides: empty when equal. */
	public static Map<String, String> differences(Map<Integer, Map<String, String>> expected,
			Map<Integer, Map<String, String>> actual) {
		Map<String, String> differences = new TreeMap<>();
		java.util.Set<Integer> dbs = new java.util.TreeSet<>(expected.keySet());
		dbs.addAll(actual.keySet());
		for (int db : dbs) {
			Map<String, String> left = expected.getOrDefault(db, Map.of());
			Map<String, String> right = actual.getOrDefault(db, Map.of());
			java.util.Set<String> keys = new java.util.TreeSet<>(left.keySet());
			keys.addAll(right.keySet());
			for (String key : keys) {
				String a = left.get(key);
				String b = right.get(key);
				if (!java.util.Objects.equals(a, b)) {
					differences.put(db + ":" + key, shorten(a) + " <> " + shorten(b));
				}
			}
		}
		return differences;
	}

	private static String shorten(String value) {
		return (value == null || value.length() < 120) ? value : value.substring(0, 60) + "…" + value.substring(value.length() - 40);
	}

	public static List<String> types(Map<Integer, Map<String, String>> snapshot) {
		List<String> types = new ArrayList<>();
		snapshot.values().forEach((keys) -> keys.values().forEach((v) -> types.add(v.substring(0, v.indexOf('|')))));
		return types;
	}

}
