package io.coffer.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Dumps that exercise every type and encoding a real {@code redis-server} writes: small values (the
 * listpack and intset encodings) and big ones (hash tables, skiplists, quicklists of many nodes and
 * plain nodes), integers, LZF-compressible and incompressible strings, TTLs, five logical databases,
 * streams with consumer groups, pending entries and deleted entries, a Lua function library. And
 * {@code redis-check-rdb}'s verdict on a dump, to compare counts with.
 */
public final class RdbCorpus {

	private static final ProtocolCommand DEBUG = () -> SafeEncoder.encode("DEBUG");

	private RdbCorpus() {
	}

	/**
	 * Writes the corpus into databases 0, 1, 2, 3 and 5 of the server.
	 * @param scale how many times over (1 gives about 4 MB of dump)
	 */
	public static void write(RedisServerProcess server, int scale) {
		Random random = new Random(13);
		try (Jedis jedis = server.jedis()) {
			// lists whose elements are larger than this become plain quicklist nodes
			jedis.sendCommand(DEBUG, "QUICKLIST-PACKED-THRESHOLD", "1000");
			for (int round = 0; round < scale; round++) {
				String r = (scale == 1) ? "" : round + ":";
				for (int db : new int[] { 0, 1, 2, 3, 5 }) {
					jedis.select(db);
					String p = r + db + ":";
					for (int i = 0; i < 300; i++) {
						jedis.set("int:" + p + i, String.valueOf(i * 7919L - 1_000_000L));
						jedis.set("short:" + p + i, "v" + i);
						jedis.set("text:" + p + i, "the quick brown fox jumps over the lazy dog ".repeat(1 + i % 5));
					}
					jedis.set("huge-int:" + p, String.valueOf(Long.MIN_VALUE));
					byte[] noise = new byte[200_000];
					random.nextBytes(noise);
					jedis.set(("noise:" + p).getBytes(StandardCharsets.UTF_8), noise);
					jedis.set("compressible:" + p, "abcdefgh".repeat(50_000));
					for (int i = 0; i < 20; i++) {
						jedis.setex("ttl-s:" + p + i, 3600 + i, "expires");
						jedis.psetex("ttl-ms:" + p + i, 7_200_000L + i, "expires too");
					}
					// small: listpack / intset; big: hashtable / skiplist / quicklist
					for (int i = 0; i < 5; i++) {
						jedis.rpush("list-small:" + p, "a" + i, String.valueOf(i));
						jedis.sadd("set-ints:" + p, String.valueOf(i * 3 - 4));
						jedis.sadd("set-small:" + p, "m" + i);
						jedis.zadd("zset-small:" + p, i * 0.5 - 1, "z" + i);
						jedis.hset("hash-small:" + p, "f" + i, (i % 2 == 0) ? String.valueOf(i) : "val" + i);
					}
					for (int i = 0; i < 2000; i++) {
						jedis.rpush("list-big:" + p, "element-" + i, String.valueOf(i));
						jedis.sadd("set-big:" + p, "member-" + i);
						jedis.sadd("set-big-ints:" + p, String.valueOf(i * 1_000_003L));
						jedis.zadd("zset-big:" + p, i * 1.25, "player-" + i);
						jedis.hset("hash-big:" + p, "field-" + i, "value-" + i);
					}
					jedis.rpush("list-plain:" + p, "x".repeat(5000), "small", "y".repeat(3000));
					jedis.hset("hash-long-values:" + p, "f", "L".repeat(500));
					jedis.zadd("zset-special:" + p, Double.POSITIVE_INFINITY, "top");
					jedis.zadd("zset-special:" + p, Double.NEGATIVE_INFINITY, "bottom");
					jedis.expire("list-big:" + p, 9000);
					jedis.expire("hash-small:" + p, 9000);
				}
				jedis.select(3);
				String stream = "stream:" + r;
				for (int i = 0; i < 500; i++) {
					jedis.sendCommand(Protocol.Command.XADD, stream, "*", "event", "e" + i, "n", String.valueOf(i));
				}
				jedis.sendCommand(Protocol.Command.XADD, stream, "*", "other", "fields", "here", "too", "and", "more");
				jedis.sendCommand(Protocol.Command.XGROUP, "CREATE", stream, "readers", "0");
				jedis.sendCommand(Protocol.Command.XGROUP, "CREATE", stream, "idle", "$");
				jedis.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "readers", "alice", "COUNT", "30", "STREAMS", stream, ">");
				jedis.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "readers", "bob", "COUNT", "20", "STREAMS", stream, ">");
				jedis.sendCommand(Protocol.Command.XGROUP, "CREATECONSUMER", stream, "readers", "carol");
				List<Object> ids = jedis.sendCommand(Protocol.Command.XRANGE, stream, "-", "+", "COUNT", "12") instanceof List<?> l
						? new ArrayList<>(l) : List.of();
				for (int i = 0; i < ids.size(); i += 3) {
					Object id = ((List<?>) ids.get(i)).get(0);
					jedis.sendCommand(Protocol.Command.XACK, stream, "readers", SafeEncoder.encode((byte[]) id));
					jedis.sendCommand(Protocol.Command.XDEL, stream, SafeEncoder.encode((byte[]) id));
				}
				jedis.sendCommand(Protocol.Command.XADD, "empty-stream:" + r, "*", "a", "b");
				jedis.sendCommand(Protocol.Command.XTRIM, "empty-stream:" + r, "MAXLEN", "0");
			}
			jedis.sendCommand(Protocol.Command.FUNCTION, "LOAD", "REPLACE",
					"#!lua name=corpus\nredis.register_function('answer', function(keys, args) return 42 end)");
			jedis.select(0);
		}
	}

	/** Keys and expiring keys per database, as {@code INFO keyspace} counts them. */
	public static Map<Integer, long[]> keyspace(RedisServerProcess server) {
		Map<Integer, long[]> keyspace = new TreeMap<>();
		Pattern fields = Pattern.compile("keys=(\\d+),expires=(\\d+)");
		server.info("keyspace").forEach((name, value) -> {
			Matcher matcher = fields.matcher(value);
			if (name.startsWith("db") && matcher.find()) {
				keyspace.put(Integer.parseInt(name.substring(2)),
						new long[] { Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)) });
			}
		});
		return keyspace;
	}

	/** What {@code redis-check-rdb} says of a dump: {keys read, expires}; fails if it does not find it OK. */
	public static long[] redisCheckRdb(Path dump) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("redis-check-rdb", dump.toString()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0 || !output.contains("RDB looks OK")) {
			throw new IllegalStateException("redis-check-rdb refused " + dump + ":\n" + output);
		}
		return new long[] { number(output, "\\[info\\] (\\d+) keys read"), number(output, "\\[info\\] (\\d+) expires") };
	}

	private static long number(String output, String regex) {
		Matcher matcher = Pattern.compile(regex).matcher(output);
		if (!matcher.find()) {
			throw new IllegalStateException("redis-check-rdb did not say /" + regex + "/:\n" + output);
		}
		return Long.parseLong(matcher.group(1));
	}

	/** Dumps the server through {@code redis-cli --rdb}. */
	public static byte[] dump(RedisServerProcess server, Path dir) throws IOException, InterruptedException {
		Path file = RdbFiles.redisCliRdb(server, Files.createTempFile(dir, "corpus-", ".rdb"));
		return Files.readAllBytes(file);
	}

}
