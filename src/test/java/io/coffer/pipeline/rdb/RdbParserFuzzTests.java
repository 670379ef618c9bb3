package io.coffer.pipeline.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import io.coffer.testsupport.RdbCorpus;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Thousands of mutations of real dumps — bits flipped, cut short, spliced, lengths inflated — each
 * either refused with {@link InvalidRdbException} or parsed: never another exception, never a hang,
 * never memory beyond the parser's bounds. Half the mutants get their checksum zeroed (checksums
 * off), so that the structure, not the CRC, has to catch them.
 */
class RdbParserFuzzTests {

	private static final int MUTANTS = 6000;

	@TempDir
	static Path dir;

	private static byte[][] dumps;

	@BeforeAll
	static void dumpRealServers() throws Exception {
		try (RedisServerProcess small = RedisServerProcess.start();
				RedisServerProcess encoded = RedisServerProcess.options().set("rdbcompression", "no").start()) {
			try (Jedis jedis = small.jedis()) {
				jedis.set("a", "1");
				jedis.rpush("l", "x", "y", "12");
				jedis.hset("h", "f", "v");
				jedis.sadd("s", "1", "2", "3");
				jedis.zadd("z", 1.5, "m");
				jedis.setex("t", 1000, "soon");
				jedis.set("lz", "abcabcabcabcabcabcabcabcabcabcabcabc");
			}
			writeSmallCorpus(encoded);
			dumps = new byte[][] { RdbCorpus.dump(small, dir), RdbCorpus.dump(encoded, dir) };
		}
	}

	/** One of every encoding, small enough for thousands of parses. */
	private static void writeSmallCorpus(RedisServerProcess server) {
		try (Jedis jedis = server.jedis()) {
			for (int db : new int[] { 0, 3 }) {
				jedis.select(db);
				for (int i = 0; i < 5; i++) {
					jedis.rpush("list", "e" + i, String.valueOf(i * 1000));
					jedis.sadd("ints", String.valueOf(i));
					jedis.sadd("set", "m" + i);
					jedis.zadd("zset", i, "z" + i);
					jedis.hset("hash", "f" + i, "v" + i);
				}
				for (int i = 0; i < 200; i++) {
					jedis.sadd("bigset", "member" + i);
					jedis.zadd("bigzset", i, "player" + i);
					jedis.hset("bighash", "field" + i, "v");
					jedis.rpush("biglist", "item" + i);
				}
				jedis.psetex("ttl", 100_000, "v");
				jedis.set("text", "lorem ipsum dolor ".repeat(20));
				for (int i = 0; i < 20; i++) {
					jedis.sendCommand(redis.clients.jedis.Protocol.Command.XADD, "stream", "*", "k", "v" + i);
				}
				jedis.sendCommand(redis.clients.jedis.Protocol.Command.XGROUP, "CREATE", "stream", "g", "0");
				jedis.sendCommand(redis.clients.jedis.Protocol.Command.XREADGROUP, "GROUP", "g", "c", "COUNT", "5",
						"STREAMS", "stream", ">");
			}
			jedis.sendCommand(redis.clients.jedis.Protocol.Command.FUNCTION, "LOAD",
					"#!lua name=fuzz\nredis.register_function('f', function(keys, args) return 1 end)");
		}
	}

	@Test
	void everyMutationIsRefusedOrParsedAndNothingElse() {
		Random random = new Random(2026);
		long heapBefore = usedHeap();
		int[] outcomes = new int[2];
		assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
			for (int i = 0; i < MUTANTS; i++) {
				byte[] original = dumps[i % dumps.length];
				byte[] mutant = mutate(original, random);
				if (random.nextBoolean() && mutant.length > 8) {
					Arrays.fill(mutant, mutant.length - 8, mutant.length, (byte) 0);
				}
				try {
					RdbParser.parse(new ByteArrayInputStream(mutant), random.nextBoolean() ? mutant.length : -1, 99);
					outcomes[0]++;
				}
				catch (InvalidRdbException ex) {
					assertThat(ex.getMessage()).startsWith("offset ");
					outcomes[1]++;
				}
				catch (IOException | RuntimeException | Error ex) {
					fail("mutant " + i + " broke the parser", ex);
				}
			}
		});
		assertThat(outcomes[1]).as("refused mutants").isGreaterThan(MUTANTS / 2);
		assertThat(usedHeap() - heapBefore).as("heap left in use").isLessThan(256L * 1024 * 1024);
	}

	@Test
	void theCheckingStreamRefusesMutantsLikeTheParser() throws IOException {
		Random random = new Random(7);
		for (int i = 0; i < 300; i++) {
			byte[] mutant = mutate(dumps[1], random);
			boolean parsed;
			try {
				RdbParser.parse(new ByteArrayInputStream(mutant), mutant.length, 99);
				parsed = true;
			}
			catch (InvalidRdbException ex) {
				parsed = false;
			}
			try (RdbCheckingInputStream checking = new RdbCheckingInputStream(new ByteArrayInputStream(mutant), 99,
					mutant.length)) {
				checking.transferTo(java.io.OutputStream.nullOutputStream());
				assertThat(parsed).as("mutant %d passed the stream", i).isTrue();
			}
			catch (InvalidRdbException ex) {
				assertThat(parsed).as("mutant %d refused by the stream: %s", i, ex.getMessage()).isFalse();
			}
		}
	}

	private static byte[] mutate(byte[] original, Random random) {
		byte[] mutant = original.clone();
		switch (random.nextInt(5)) {
			case 0 -> {
				for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
					mutant[9 + random.nextInt(mutant.length - 9)] ^= (byte) (1 << random.nextInt(8));
				}
			}
			case 1 -> mutant = Arrays.copyOf(mutant, random.nextInt(mutant.length));
			case 2 -> {
				// a piece of the dump copied over another place
				int from = random.nextInt(mutant.length);
				int to = random.nextInt(mutant.length);
				int length = Math.min(1 + random.nextInt(64), Math.min(mutant.length - from, mutant.length - to));
				System.arraycopy(original, from, mutant, to, length);
			}
			case 3 -> {
				// a byte that reads as a 32- or 64-bit length, followed by a large value
				int at = 9 + random.nextInt(mutant.length - 18);
				mutant[at] = (byte) (random.nextBoolean() ? 0x80 : 0x81);
				for (int i = 1; i <= 8 && at + i < mutant.length; i++) {
					mutant[at + i] = (byte) ((i < 3) ? 0x7f : random.nextInt(256));
				}
			}
			default -> {
				// bytes inserted
				int at = random.nextInt(mutant.length);
				byte[] inserted = new byte[1 + random.nextInt(16)];
				random.nextBytes(inserted);
				byte[] longer = new byte[mutant.length + inserted.length];
				System.arraycopy(mutant, 0, longer, 0, at);
				System.arraycopy(inserted, 0, longer, at, inserted.length);
				System.arraycopy(mutant, at, longer, at + inserted.length, mutant.length - at);
				mutant = longer;
			}
		}
		return mutant;
	}

	private static long usedHeap() {
		System.gc();
		Runtime runtime = Runtime.getRuntime();
		return runtime.totalMemory() - runtime.freeMemory();
	}

}
