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

	/** db index → key → "type|hex of DUMP|ttl bucket"; TTLs are compared to the minute. */
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
					String ttlBucket = (ttl < 0) ? String.valueOf(ttl) : "~" + Math.round(ttl / 60_000.0) + "min";
					keys.put(key, jedis.type(key) + "|" + java.util.HexFormat.of().formatHex(jedis.dump(key)) + "|"
							+ ttlBucket);
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

	public static List<String> types(Map<Integer, Map<String, String>> snapshot) {
		List<String> types = new ArrayList<>();
		snapshot.values().forEach((keys) -> keys.values().forEach((v) -> types.add(v.substring(0, v.indexOf('|')))));
		return types;
	}

}
