package io.coffer.restore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RdbCorpus;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restores of selected keys, against real servers holding every type and encoding (strings int, embstr, raw and
 * LZF; lists listpack, quicklist and plain nodes; sets intset, listpack and hashtable; sorted sets listpack and
 * skiplist; hashes listpack and hashtable; streams with consumer groups; TTLs in seconds and milliseconds) in
 * several logical databases: in place writes exactly the matching keys with their values, encodings and absolute
 * expiries, and leaves every other key as it is, changed after the backup or not; a dry run counts right and
 * writes nothing; a new database gets only the matching keys; a bad pattern list gets 400.
 */
class SelectedKeysRestoreTest extends IntegrationTest {

	private static final String PASSWORD = "selected-keys-secret";

	private static final List<String> PATTERNS = List.of("*-small:*", "set-ints:*", "set-big-ints:1:", "list-big:2:",
			"list-plain:*", "zset-big:0:", "hash-big:5:", "zset-special:*", "stream:*", "empty-stream:*", "ttl-ms:1:1?",
			"ttl-s:0:[0-4]", "int:[0-2]:1[^0-4]", "compressible:3:", "noise:5:", "huge-int:*", "short:3:?",
			"text:1:2?", "literal\\*star", "soon-gone", "cart:*");

	private static final String PATTERNS_JSON = "[" + String.join(", ",
			PATTERNS.stream().map((p) -> "\"" + p.replace("\\", "\\\\") + "\"").toList()) + "]";

	private static final KeyPatterns SELECTION = KeyPatterns.of(PATTERNS);

	@ParameterizedTest
	@ValueSource(strings = { "redis-server", "valkey-server" })
	void inPlaceWritesExactlyTheMatchingKeysAndADryRunCountsWithoutWriting(String program) {
		try (RedisServerProcess redis = RedisServerProcess.options().server(program).password(PASSWORD).start()) {
			fill(redis);
			String db = registerDatabase("selected-keys-" + program, PASSWORD, "stream", redis.port()).text("id");
			Map<Integer, Map<String, String>> backedUp = snapshot(redis);
			long soonGoneAt = pexpiretime(redis, 0, "soon-gone");
			backUp(db);
			assertThat(System.currentTimeMillis()).as("the backup ended before soon-gone expired").isLessThan(soonGoneAt);
			await().atMost(Duration.ofSeconds(60)).until(() -> pexpiretime(redis, 0, "soon-gone") == -2);
			backedUp.get(0).remove("soon-gone");

			changeAfterTheBackup(redis);
			Map<Integer, Map<String, String>> changed = snapshot(redis);

			refusesBadLists(db);

			JsonNode dry = restore(operator(), db, "{\"backup\": \"latest\", \"keys\": " + PATTERNS_JSON
					+ ", \"dry_run\": true}");
			assertThat(dry.path("status").asString()).as(dry.toString()).isEqualTo("done");
			assertThat(dry.path("dry_run").asBoolean()).isTrue();
			assertThat(snapshot(redis)).as("a dry run writes nothing").isEqualTo(changed);
			JsonNode dryFigures = dry.path("checks").path("selection").path("per_db");
			Map<Integer, Map<String, String>> selected = selected(backedUp);
			for (Map.Entry<Integer, Map<String, String>> database : selected.entrySet()) {
				Map<String, String> now = changed.getOrDefault(database.getKey(), Map.of());
				// equal values: the expiry is not part of them (a key whose TTL alone changed holds the same value)
				long equal = database.getValue().entrySet().stream()
					.filter((key) -> now.containsKey(key.getKey())
							&& withoutExpiry(key.getValue()).equals(withoutExpiry(now.get(key.getKey()))))
					.count();
				long other = database.getValue().keySet().stream().filter(now::containsKey).count() - equal;
				JsonNode figures = dryFigures.path("db" + database.getKey());
				assertThat(figures.path("would_write").asLong()).as(figures.toString())
					.isEqualTo(database.getValue().size());
				assertThat(figures.path("existing_equal").asLong()).as(figures.toString()).isEqualTo(equal);
				assertThat(figures.path("existing_other").asLong()).as(figures.toString()).isEqualTo(other);
			}
			assertThat(dryFigures.path("db0").path("expired").asLong()).isEqualTo(1);

			JsonNode done = restore(operator(), db, "{\"backup\": \"latest\", \"keys\": " + PATTERNS_JSON + "}");
			assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("done");
			assertThat(done.path("keys").size()).isEqualTo(PATTERNS.size());
			Map<Integer, Map<String, String>> expected = new TreeMap<>();
			changed.forEach((index, keys) -> expected.put(index, new TreeMap<>(keys)));
			selected.forEach((index, keys) -> expected.computeIfAbsent(index, (k) -> new TreeMap<>()).putAll(keys));
			assertThat(snapshot(redis)).isEqualTo(expected);
			JsonNode written = done.path("checks").path("selection").path("per_db");
			selected.forEach((index, keys) -> assertThat(written.path("db" + index).path("written").asLong())
				.as(written.toString())
				.isEqualTo(keys.size()));
		}
	}

	@Test
	void aNewDatabaseGetsOnlyTheMatchingKeys() {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess copy = RedisServerProcess.startWithPassword(PASSWORD)) {
			fill(source);
			String db = registerDatabase("selected-source", PASSWORD, "stream", source.port()).text("id");
			registerDatabase("selected-copy", PASSWORD, "stream", copy.port());
			try (Jedis jedis = source.jedis()) {
				jedis.persist("soon-gone");
			}
			Map<Integer, Map<String, String>> backedUp = snapshot(source);
			backUp(db);

			JsonNode done = restore(operator(), db, "{\"backup\": \"latest\", \"target\": \"new_database\", \"app\":"
					+ " \"selected-copy\", \"keys\": " + PATTERNS_JSON + "}");

			assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("done");
			Map<Integer, Map<String, String>> selected = selected(backedUp);
			assertThat(selected.keySet()).hasSizeGreaterThan(3);
			assertThat(snapshot(copy)).isEqualTo(selected);
			assertThat(done.path("checks").path("keys").path("equal").asBoolean()).isTrue();
			assertThat(snapshot(source)).as("the source is left alone").isEqualTo(backedUp);
		}
	}

	private void refusesBadLists(String db) {
		for (String body : List.of("{\"keys\": []}", "{\"keys\": [\"[abc\"]}", "{\"keys\": [\"abc\\\\\"]}",
				"{\"keys\": [\"\"]}", "{\"keys\": [\"" + "x".repeat(2000) + "\"]}",
				"{\"keys\": [" + "\"a*\", ".repeat(100) + "\"b\"]}", "{\"dry_run\": true}")) {
			ApiClient.Response refused = RestoreSupport.start(operator(), db, body);
			assertThat(refused.status()).as(body + " → " + refused.body()).isEqualTo(400);
			assertThat(refused.text("error")).isEqualTo("invalid_request");
		}
	}

	/** The corpus of every type and encoding, and keys of this test's own in databases 0 and 7. */
	private static void fill(RedisServerProcess redis) {
		RdbCorpus.write(redis, 1);
		try (Jedis jedis = redis.jedis()) {
			jedis.set("literal*star", "matched by an escaped star");
			jedis.set("literalXstar", "not matched");
			jedis.psetex("soon-gone", 10_000, "expires between the backup and the restore");
			jedis.select(7);
			for (int i = 0; i < 5; i++) {
				jedis.hset("cart:" + i, Map.of("item", "book-" + i, "qty", String.valueOf(i)));
			}
			jedis.expire("cart:1", 50_000);
			jedis.set("carton", "not a cart");
		}
	}

	/** Matching keys and others changed, removed and added after the backup. */
	private static void changeAfterTheBackup(RedisServerProcess redis) {
		try (Jedis jedis = redis.jedis()) {
			jedis.del("list-small:0:");
			jedis.set("literal*star", "changed after the backup");
			jedis.set("literalXstar", "changed too, and not restored");
			jedis.hset("hash-small:new", "f", "a matching key the backup does not hold");
			jedis.sadd("set-big:0:", "a member added after the backup");
			jedis.del("text:0:3");
			jedis.select(1);
			jedis.hset("hash-small:1:", "added", "field");
			jedis.persist("ttl-ms:1:10");
			jedis.set("int:1:15", "changed");
			jedis.select(3);
			jedis.xadd("stream:", StreamEntryID.NEW_ENTRY, Map.of("after", "backup"));
			jedis.sendCommand(Protocol.Command.XGROUP, "CREATE", "stream:", "late", "0");
			jedis.select(7);
			jedis.del("cart:2");
			jedis.set("carton", "changed, not restored");
		}
	}

	/** A key of a snapshot without its expiry: type, encoding and value. */
	private static String withoutExpiry(String snapshot) {
		String[] parts = snapshot.split("\\|", 4);
		return parts[0] + "|" + parts[1] + "|" + parts[3];
	}

	/** The keys of a snapshot that the patterns select. */
	private static Map<Integer, Map<String, String>> selected(Map<Integer, Map<String, String>> snapshot) {
		Map<Integer, Map<String, String>> selected = new TreeMap<>();
		snapshot.forEach((db, keys) -> keys.forEach((key, value) -> {
			if (SELECTION.matches(key.getBytes(StandardCharsets.UTF_8))) {
				selected.computeIfAbsent(db, (k) -> new TreeMap<>()).put(key, value);
			}
		}));
		return selected;
	}

	private static long pexpiretime(RedisServerProcess redis, int db, String key) {
		try (Jedis jedis = redis.jedis()) {
			jedis.select(db);
			return jedis.pexpireTime(key);
		}
	}

	/**
	 * db → key → type, encoding, absolute expiry in milliseconds and value (strings as their bytes, sets and
	 * hashes sorted, streams with their consumer groups, consumers and pending entries).
	 */
	static Map<Integer, Map<String, String>> snapshot(RedisServerProcess redis) {
		Map<Integer, Map<String, String>> content = new TreeMap<>();
		try (Jedis jedis = redis.jedis()) {
			for (int db = 0; db < 16; db++) {
				jedis.select(db);
				Map<String, String> keys = new TreeMap<>();
				String cursor = ScanParams.SCAN_POINTER_START;
				do {
					ScanResult<String> page = jedis.scan(cursor, new ScanParams().count(1000));
					for (String key : page.getResult()) {
						String type = jedis.type(key);
						keys.put(key, type + "|" + jedis.objectEncoding(key) + "|" + jedis.pexpireTime(key) + "|"
								+ value(jedis, type, key));
					}
					cursor = page.getCursor();
				}
				while (!cursor.equals(ScanParams.SCAN_POINTER_START));
				if (!keys.isEmpty()) {
					content.put(db, keys);
				}
			}
		}
		return content;
	}

	private static String value(Jedis jedis, String type, String key) {
		return switch (type) {
			case "string" -> HexFormat.of().formatHex(jedis.get(key.getBytes(StandardCharsets.UTF_8)));
			case "hash" -> new TreeMap<>(jedis.hgetAll(key)).toString();
			case "list" -> jedis.lrange(key, 0, -1).toString();
			case "set" -> new java.util.TreeSet<>(jedis.smembers(key)).toString();
			case "zset" -> jedis.zrangeWithScores(key, 0, -1).toString();
			case "stream" -> text(jedis.sendCommand(Protocol.Command.XINFO, "STREAM", key, "FULL"));
			default -> HexFormat.of().formatHex(jedis.dump(key));
		};
	}

	private static String text(Object reply) {
		if (reply instanceof byte[] bytes) {
			return new String(bytes, StandardCharsets.UTF_8);
		}
		if (reply instanceof List<?> list) {
			return list.stream().map(SelectedKeysRestoreTest::text).toList().toString();
		}
		return String.valueOf(reply);
	}

}
