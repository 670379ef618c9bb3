package io.coffer.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import io.coffer.testsupport.RedisServerProcess;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The benchmarks' dataset: a {@code redis-server} filled with pipelined writes until its RDB reaches a
 * size (checked with {@code BGSAVE}): by payload 40 % random-byte strings, 20 % JSON-like strings, 15 %
 * hashes, 15 % lists, 10 % sorted sets, each kind with some large keys so that listpack, quicklist,
 * hashtable and skiplist encodings all appear. Seeded: every run writes the same data.
 */
final class BenchDataset {

	private static final double MB = 1_000_000.0;

	private final RedisServerProcess redis;

	private final SplittableRandom random = new SplittableRandom(20240601L);

	private long keyCounter;

	private double rdbPerPayloadByte = 1.0;

	BenchDataset(RedisServerProcess redis) {
		this.redis = redis;
	}

	/**
	 * Fills Redis until its RDB is at least {@code targetBytes}: writes the estimated payload, measures
	 * the dump with a BGSAVE, tops up until reached. Returns the dump's size.
	 */
	long fillTo(long targetBytes) throws Exception {
		long rdb = currentRdbSize();
		long started = System.nanoTime();
		while (rdb < targetBytes) {
			long missing = targetBytes - rdb;
			// aim 3 % above the target so that one top-up is usually enough
			long payload = (long) (missing * 1.03 / this.rdbPerPayloadByte) + 1_000_000;
			long before = rdb;
			long written = writeMixedPayload(payload);
			rdb = currentRdbSize();
			if (rdb > before && written > 0) {
				this.rdbPerPayloadByte = (double) (rdb - before) / written;
			}
			log(String.format(Locale.ROOT, "dataset: RDB %.0f MB of %.0f MB wanted (%d keys, %.2f RDB bytes per payload byte)",
					rdb / MB, targetBytes / MB, dbSize(), this.rdbPerPayloadByte));
		}
		log(String.format(Locale.ROOT, "dataset ready in %.0f s", BenchFiles.seconds(System.nanoTime() - started)));
		return rdb;
	}

	long currentRdbSize() throws Exception {
		if (dbSize() == 0) {
			return 0;
		}
		bgsaveAndWait();
		return Files.size(this.redis.dir().resolve("dump.rdb"));
	}

	/**
	 * Writes about {@code payloadBytes} of values, by payload: 40 % incompressible strings, 20 %
	 * compressible (JSON-like) strings, 15 % hashes, 15 % lists, 10 % sorted sets, each kind with a
	 * few large keys so that every encoding (listpack, quicklist, hashtable, skiplist) appears.
	 */
	private long writeMixedPayload(long payloadBytes) {
		long written = 0;
		try (Jedis jedis = this.redis.jedis()) {
			Pipeline pipeline = jedis.pipelined();
			long sinceSync = 0;
			while (written < payloadBytes) {
				int pick = this.random.nextInt(100);
				long n = this.keyCounter++;
				long bytes;
				if (pick < 40) {
					byte[] value = new byte[512 + this.random.nextInt(3585)];
					this.random.nextBytes(value);
					pipeline.set(key("s:r:", n), value);
					bytes = value.length;
				}
				else if (pick < 60) {
					byte[] value = jsonLike(800 + this.random.nextInt(2400));
					pipeline.set(key("s:c:", n), value);
					bytes = value.length;
				}
				else if (pick < 75) {
					int fields = (n % 10 == 0) ? 400 : 40;
					Map<byte[], byte[]> hash = new LinkedHashMap<>();
					bytes = 0;
					for (int i = 0; i < fields; i++) {
						byte[] field = ("field:" + i).getBytes(StandardCharsets.US_ASCII);
						byte[] value = fieldValue();
						hash.put(field, value);
						bytes += field.length + value.length;
					}
					pipeline.hset(key("h:", n), hash);
				}
				else if (pick < 90) {
					int elements = (n % 10 == 0) ? 2000 : 60;
					byte[][] items = new byte[elements][];
					bytes = 0;
					for (int i = 0; i < elements; i++) {
						items[i] = listItem(i);
						bytes += items[i].length;
					}
					pipeline.rpush(key("l:", n), items);
				}
				else {
					int members = (n % 10 == 0) ? 1000 : 60;
					Map<byte[], Double> zset = new LinkedHashMap<>();
					bytes = 0;
					for (int i = 0; i < members; i++) {
						byte[] member = ("member:" + Long.toHexString(this.random.nextLong()) + ":" + i)
							.getBytes(StandardCharsets.US_ASCII);
						zset.put(member, this.random.nextDouble() * 1_000_000);
						bytes += member.length + 8;
					}
					pipeline.zadd(key("z:", n), zset);
				}
				written += bytes;
				sinceSync += bytes;
				if (sinceSync > 8_000_000) {
					pipeline.sync();
					sinceSync = 0;
				}
			}
			pipeline.sync();
		}
		return written;
	}

	private static final String[] WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
			+ "mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu order "
			+ "customer invoice shipped pending paid refunded cart session user admin guest premium basic").split(" ");

	private byte[] jsonLike(int length) {
		StringBuilder text = new StringBuilder(length + 64);
		text.append("{\"id\":").append(this.random.nextInt(1_000_000_000)).append(",\"events\":[");
		while (text.length() < length) {
			text.append("{\"type\":\"").append(word()).append("\",\"at\":").append(1_700_000_000 + this.random.nextInt(10_000_000))
				.append(",\"user\":\"").append(word()).append(this.random.nextInt(1000)).append("\",\"amount\":")
				.append(this.random.nextInt(100_000) / 100.0).append(",\"note\":\"").append(word()).append(' ')
				.append(word()).append(' ').append(word()).append("\"},");
		}
		text.append("{}]}");
		return text.toString().getBytes(StandardCharsets.US_ASCII);
	}

	private byte[] fieldValue() {
		switch (this.random.nextInt(3)) {
			case 0:
				return Long.toString(this.random.nextLong(1_000_000_000L)).getBytes(StandardCharsets.US_ASCII);
			case 1:
				return (word() + "-" + word() + "-" + this.random.nextInt(10_000)).getBytes(StandardCharsets.US_ASCII);
			default:
				byte[] raw = new byte[16 + this.random.nextInt(40)];
				this.random.nextBytes(raw);
				return raw;
		}
	}

	private byte[] listItem(int index) {
		if (this.random.nextInt(4) == 0) {
			byte[] raw = new byte[20 + this.random.nextInt(60)];
			this.random.nextBytes(raw);
			return raw;
		}
		return ("event " + index + " " + word() + " by " + word() + this.random.nextInt(1000) + " at "
				+ (1_700_000_000 + this.random.nextInt(10_000_000))).getBytes(StandardCharsets.US_ASCII);
	}

	private String word() {
		return WORDS[this.random.nextInt(WORDS.length)];
	}

	private static byte[] key(String prefix, long n) {
		return (prefix + n).getBytes(StandardCharsets.US_ASCII);
	}

	void bgsaveAndWait() throws Exception {
		try (Jedis jedis = this.redis.jedis()) {
			Map<String, String> info = this.redis.info("persistence");
			while ("1".equals(info.get("rdb_bgsave_in_progress"))) {
				Thread.sleep(20);
				info = this.redis.info("persistence");
			}
			long saves = Long.parseLong(info.get("rdb_saves"));
			jedis.bgsave();
			while (true) {
				info = this.redis.info("persistence");
				if ("0".equals(info.get("rdb_bgsave_in_progress")) && Long.parseLong(info.get("rdb_saves")) > saves) {
					if (!"ok".equals(info.get("rdb_last_bgsave_status"))) {
						throw new IllegalStateException("BGSAVE failed: " + info);
					}
					return;
				}
				Thread.sleep(20);
			}
		}
	}

	long dbSize() {
		try (Jedis jedis = this.redis.jedis()) {
			return jedis.dbSize();
		}
	}

	private static void log(String message) {
		System.out.println("-----> " + message);
	}

}
