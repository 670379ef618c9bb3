package io.coffer.pipeline.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.coffer.testsupport.RdbCorpus;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The parser over dumps written by a real {@code redis-server} (every type and encoding it writes)
 * and over dumps written byte by byte as older and newer Redis versions write them; the synthetic
 * dumps that the installed Redis can load are loaded into it, to prove they are what Redis writes.
 */
class RdbParserTests {

	private static final int ANY_VERSION = 99;

	@TempDir
	static Path dir;

	private static RedisServerProcess server;

	private static byte[] corpus;

	private static Path corpusFile;

	@BeforeAll
	static void dumpTheCorpus() throws Exception {
		server = RedisServerProcess.start();
		RdbCorpus.write(server, 1);
		corpus = RdbCorpus.dump(server, dir);
		corpusFile = Files.write(dir.resolve("corpus.rdb"), corpus);
	}

	@AfterAll
	static void stop() {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void aDumpOfEveryTypeAndEncodingParsesWithTheCountsOfRedisCheckRdbAndInfoKeyspace() throws Exception {
		RdbSummary summary = parse(corpus);

		long[] checked = RdbCorpus.redisCheckRdb(corpusFile);
		assertThat(summary.totalKeys()).isEqualTo(checked[0]);
		assertThat(summary.expiringKeysPerDb().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(checked[1]);
		Map<Integer, long[]> keyspace = RdbCorpus.keyspace(server);
		assertThat(summary.keysPerDb().keySet()).containsExactly(0, 1, 2, 3, 5);
		keyspace.forEach((db, counts) -> {
			assertThat(summary.keysPerDb().get(db)).as("keys of db%d", db).isEqualTo(counts[0]);
			assertThat(summary.expiringKeysPerDb().getOrDefault(db, 0L)).as("expires of db%d", db).isEqualTo(counts[1]);
		});
		assertThat(summary.functionLibraries()).isEqualTo(1);
		assertThat(summary.redisVersion()).isEqualTo(server.info("server").get("redis_version"));
		assertThat(summary.length()).isEqualTo(corpus.length);
	}

	@Test
	void dumpsWithoutCompressionOrChecksumParseToo() throws Exception {
		try (RedisServerProcess plain = RedisServerProcess.options().set("rdbcompression", "no")
			.set("rdbchecksum", "no")
			.set("hash-max-listpack-entries", "0")
			.set("zset-max-listpack-entries", "0")
			.set("set-max-intset-entries", "0")
			.set("list-max-listpack-size", "1")
			.start()) {
			RdbCorpus.write(plain, 1);
			byte[] dump = RdbCorpus.dump(plain, dir);
			Path file = Files.write(dir.resolve("plain.rdb"), dump);

			RdbSummary summary = parse(dump);

			assertThat(Arrays.copyOfRange(dump, dump.length - 8, dump.length)).containsOnly(0);
			assertThat(summary.totalKeys()).isEqualTo(RdbCorpus.redisCheckRdb(file)[0]);
		}
	}

	@Test
	void aBigDumpParsesWithBoundedMemoryAndTheLengthKnownOrNot() throws Exception {
		try (RedisServerProcess big = RedisServerProcess.start()) {
			big.populate(200_000, "populated", 100);
			try (Jedis jedis = big.jedis()) {
				byte[] huge = new byte[20 * 1024 * 1024];
				new Random(1).nextBytes(huge);
				jedis.set("twenty-megabytes".getBytes(StandardCharsets.UTF_8), huge);
				jedis.set("compressible", "z".repeat(30 * 1024 * 1024));
			}
			byte[] dump = RdbCorpus.dump(big, dir);

			assertThat(RdbParser.parse(new ByteArrayInputStream(dump), dump.length, ANY_VERSION).totalKeys())
				.isEqualTo(200_002);
			assertThat(RdbParser.parse(new ByteArrayInputStream(dump), -1, ANY_VERSION).totalKeys()).isEqualTo(200_002);
		}
	}

	@Test
	void oldEncodingsParseAsTheRedisHereLoadsThem() throws Exception {
		SyntheticRdb rdb = new SyntheticRdb(9).aux("redis-ver", "4.0.0").selectDb(0).resizeDb(9, 1);
		rdb.key(9, "zipmap-hash").string(SyntheticRdb.zipmap(List.of("name", "Ada", "city", "London")));
		rdb.key(10, "ziplist-list").string(SyntheticRdb.ziplist(List.of("a", 5L, -100L, 30000L, 5_000_000L,
				3_000_000_000L, "x".repeat(300))));
		rdb.key(12, "ziplist-zset").string(SyntheticRdb.ziplist(List.of("one", "1", "two", "2.5")));
		rdb.key(13, "ziplist-hash").string(SyntheticRdb.ziplist(List.of("f1", "v1", "f2", 2L)));
		rdb.key(1, "linked-list").length(3).string("a").intString(-7).lzfRepeated('q', 1000);
		rdb.key(2, "plain-set").length(2).string("m1").string("m2");
		rdb.key(3, "text-score-zset").length(3).string("a").u8(3).raw("1.5".getBytes(StandardCharsets.US_ASCII))
			.string("b").u8(254).string("c").u8(255);
		rdb.key(14, "quicklist-v1").length(2).string(SyntheticRdb.ziplist(List.of("a", "b")))
			.string(SyntheticRdb.ziplist(List.of(1L, 2L, 3L)));
		rdb.expireMs(4_102_444_800_000L).key(11, "intset").string(SyntheticRdb.intset(2, -5, 3, 700));
		rdb.selectDb(2).key(0, "lzf-string").lzfRepeated('w', 5000);
		byte[] dump = rdb.end();

		RdbSummary summary = parse(dump);

		assertThat(summary.keysPerDb()).containsExactly(Map.entry(0, 9L), Map.entry(2, 1L));
		assertThat(summary.expiringKeysPerDb()).containsExactly(Map.entry(0, 1L));
		assertThat(summary.redisVersion()).isEqualTo("4.0.0");
		assertLoadedByRedis(dump, 10, 1);
	}

	@Test
	void anRdbBeforeVersion5HasNoChecksumAndEndsAtTheMarker() throws Exception {
		SyntheticRdb rdb = new SyntheticRdb(4).selectDb(0);
		rdb.expireSeconds(2_000_000_000L).key(9, "zipmap").string(SyntheticRdb.zipmap(List.of("f", "v")));
		rdb.key(0, "s").string("v");
		byte[] dump = rdb.end();

		RdbSummary summary = parse(dump);

		assertThat(summary.keysPerDb()).containsExactly(Map.entry(0, 2L));
		assertThat(summary.expiringKeysPerDb()).containsExactly(Map.entry(0, 1L));
		assertLoadedByRedis(dump, 2, 1);
		assertRefused(Arrays.copyOf(dump, dump.length + 1)).withMessageContaining("bytes follow the end of the dump");
	}

	@Test
	void newerTypesOfRdb11And12Parse() throws IOException {
		SyntheticRdb rdb = new SyntheticRdb(12).selectDb(0);
		rdb.key(20, "set-listpack").string(SyntheticRdb.listpack(List.of("a", "b", 7L)));
		rdb.key(24, "hash-with-field-ttls").le(1_900_000_000_000L, 8).length(2).length(0).string("f1").string("v1")
			.length(5).string("f2").string("v2");
		rdb.key(22, "hash-with-field-ttls-rc").length(1).length(1_900_000_000_000L).string("f").string("v");
		rdb.key(25, "hash-listpack-ex").le(1_900_000_000_000L, 8)
			.string(SyntheticRdb.listpack(List.of("f1", "v1", 0L, "f2", "v2", 1_900_000_000_000L)));
		rdb.key(23, "hash-listpack-ex-rc").string(SyntheticRdb.listpack(List.of("f", "v", 0L)));
		rdb.key(7, "module-value").length(0x1234_5678_9abcL).length(2).length(42).length(5).string("payload")
			.length(4).le(Double.doubleToLongBits(1.5), 8).length(3).le(Float.floatToIntBits(2.5f), 4).length(0);
		rdb.u8(0xf7).length(0x1234_5678_9abcL).length(2).length(2).length(1).length(3).length(0);
		rdb.u8(0xf4).length(100).length(1).length(0);
		rdb.u8(0xf8).length(5).key(0, "with-idle").string("v");
		rdb.u8(0xf9).u8(3).key(0, "with-freq").string("v");
		byte[] dump = rdb.end();

		RdbSummary summary = parse(dump);

		assertThat(summary.keysPerDb()).containsExactly(Map.entry(0, 8L));
	}

	@Test
	void theFormatsOfRedis72To8AndValkey9Parse() throws IOException {
		for (SyntheticRdb rdb : List.of(new SyntheticRdb(11), new SyntheticRdb(12), new SyntheticRdb(13),
				SyntheticRdb.valkey(80))) {
			rdb.aux("valkey-ver", "9.0.0").selectDb(0).resizeDb(4, 1);
			rdb.key(0, "string").string("v");
			rdb.expireMs(1_900_000_000_000L).key(20, "set-listpack").string(SyntheticRdb.listpack(List.of("a", "b", 7L)));
			rdb.key(16, "hash-listpack").string(SyntheticRdb.listpack(List.of("f", "v")));
			rdb.key(17, "zset-listpack").string(SyntheticRdb.listpack(List.of("m", 1L)));
			byte[] dump = rdb.end();

			RdbSummary summary = parse(dump);

			assertThat(summary.keysPerDb()).containsExactly(Map.entry(0, 4L));
			assertThat(summary.expiringKeysPerDb()).containsExactly(Map.entry(0, 1L));
		}
		assertThat(parse(SyntheticRdb.valkey(80).selectDb(0).key(0, "k").string("v").end()).rdbVersion()).isEqualTo(80);
	}

	@Test
	void valkey9HashesWithFieldExpiryAndSlotStateParse() throws IOException {
		// rdbSaveObject for RDB_TYPE_HASH_2: the count, then field, value and the field's expiry in ms (-1: none)
		SyntheticRdb rdb = SyntheticRdb.valkey(80).selectDb(0);
		rdb.u8(0xf4).length(1234).length(2).length(1);
		// clusterRDBSaveSlotImports: the job's 40-byte name, the number of slot ranges, each first and last slot
		rdb.u8(0xf3).string("a".repeat(40)).length(2).length(0).length(99).length(5000).length(16383);
		rdb.expireMs(1_900_000_000_000L).key(22, "hash-with-field-ttls").length(2).string("f1").string("v1").le(-1L, 8)
			.string("f2").string("v2").le(1_900_000_000_000L, 8);
		rdb.key(22, "hash-without-ttls").length(1).string("f").string("v").le(-1L, 8);
		rdb.key(0, "string").string("v");

		RdbSummary summary = parse(rdb.end());

		assertThat(summary.keysPerDb()).containsExactly(Map.entry(0, 3L));
		assertThat(summary.expiringKeysPerDb()).containsExactly(Map.entry(0, 1L));
		// Redis 7.4 RC's layout of the same type number is not Valkey's
		SyntheticRdb redisLayout = SyntheticRdb.valkey(80).selectDb(0);
		redisLayout.key(22, "h").length(1).length(1_900_000_000_000L).string("f").string("v");
		assertThatExceptionOfType(InvalidRdbException.class).isThrownBy(() -> parse(redisLayout.end()));
	}

	@Test
	void redis86KeyMetadataParsesBeforeItsKey() throws IOException {
		// rdbSaveKeyMetadata: the opcode, the number of classes, each class' 32-bit spec and its module value
		SyntheticRdb rdb = new SyntheticRdb(13).selectDb(0);
		rdb.expireMs(1_900_000_000_000L).u8(0xf3).length(2).le(0x0102_0304L, 4).length(2).length(7).length(0)
			.le(0x0a0b_0c0dL, 4).length(5).string("meta").length(0);
		rdb.key(0, "with-metadata").string("v");
		rdb.key(0, "without").string("v");

		RdbSummary summary = parse(rdb.end());

		assertThat(summary.keysPerDb()).containsExactly(Map.entry(0, 2L));
		assertThat(summary.expiringKeysPerDb()).containsExactly(Map.entry(0, 1L));
		assertThat(summary.rdbVersion()).isEqualTo(13);
	}

	@Test
	void aTypeOrOpcodeTheVersionCannotHoldIsRefusedWithItsOffset() {
		assertRefused(new SyntheticRdb(11).selectDb(0).key(24, "h").le(0, 8).length(0).end())
			.withMessage("offset 11: unknown opcode or value type 0x18 in RDB 11");
		assertRefused(new SyntheticRdb(11).selectDb(0).u8(0xf4).length(1).length(0).length(0).end())
			.withMessage("offset 11: slot info (opcode 0xf4) is not part of this RDB version");
		assertRefused(new SyntheticRdb(12).selectDb(0).u8(0xf3).length(0).key(0, "k").string("v").end())
			.withMessage("offset 11: key metadata (opcode 0xf3) is not part of this RDB version");
		assertRefused(new SyntheticRdb(13).selectDb(0).key(26, "stream").length(0).end())
			.withMessage("offset 11: the dump holds a stream with idempotent producers (type 0x1a of Redis 8.6), "
					+ "which Coffer does not read yet");
		assertRefused(new SyntheticRdb(13).selectDb(0).key(27, "stream").length(0).end())
			.withMessage("offset 11: unknown opcode or value type 0x1b in RDB 13");
		// Valkey 9 has its own 22 and none of Redis' 23 to 25
		for (int type : new int[] { 23, 24, 25 }) {
			assertRefused(SyntheticRdb.valkey(80).selectDb(0).key(type, "h").le(0, 8).length(0).end())
				.withMessage(String.format("offset 11: unknown opcode or value type 0x%02x in RDB 80", type));
		}
		// Valkey 9's 0xf3 is slot-import state, not key metadata
		assertRefused(SyntheticRdb.valkey(80).selectDb(0).u8(0xf3).length(1).le(0x0102_0304L, 4).length(0).end())
			.withMessage("offset 11: slot import job name is 1 bytes, not 40");
		assertRefused(SyntheticRdb.valkey(80).selectDb(0).u8(0xf3).string("j".repeat(40)).length(1).length(9)
			.length(16384).end()).withMessage("offset 54: slot import range 9-16384 is not one of slots 0 to 16383");
	}

	@Test
	void anUnknownMagicOrVersionIsRefusedNamingIt() {
		assertRefused(new SyntheticRdb(14).selectDb(0).end())
			.withMessage("offset 5: REDIS RDB version 14 is not one Coffer reads (it reads up to 13, written by Redis 8.6)");
		assertRefused(SyntheticRdb.valkey(81).selectDb(0).end())
			.withMessage("offset 6: VALKEY RDB version 81 is not one Coffer reads (it reads Valkey 9's 80)");
		assertRefused(SyntheticRdb.valkey(11).selectDb(0).end()).withMessageContaining("VALKEY RDB version 11");
		byte[] keydb = new SyntheticRdb(10).selectDb(0).end();
		System.arraycopy("KEYDB".getBytes(StandardCharsets.US_ASCII), 0, keydb, 0, 5);
		assertRefused(keydb).withMessage("offset 0: not an RDB file: it does not start with REDIS or VALKEY");
		// Valkey 9's format into an engine that reads up to RDB 11
		byte[] valkey9 = SyntheticRdb.valkey(80).selectDb(0).end();
		assertThatExceptionOfType(InvalidRdbException.class)
			.isThrownBy(() -> RdbParser.parse(new ByteArrayInputStream(valkey9), valkey9.length, 11))
			.withMessage("offset 6: RDB version 80 is newer than this Redis supports (max 11)");
	}

	@Test
	void emptyCollectionsAreNotCountedSinceRedisSkipsThem() throws IOException {
		SyntheticRdb rdb = new SyntheticRdb(10).selectDb(0);
		rdb.key(1, "empty-list").length(0);
		rdb.key(16, "empty-hash").string(SyntheticRdb.listpack(List.of()));
		rdb.key(0, "s").string("v");

		assertThat(parse(rdb.end()).keysPerDb()).containsExactly(Map.entry(0, 1L));
	}

	@Test
	void theCraftedDumpOfTheIssueIsRefused() {
		byte[] crafted = crafted(new Random(42));

		assertRefused(crafted).satisfies((ex) -> assertThat(ex.offset()).isBetween(9L, 209L));
	}

	@Test
	void anImpossibleLengthIsRefusedWithItsOffsetAndWhatIsLeft() {
		SyntheticRdb rdb = new SyntheticRdb(10).selectDb(0);
		rdb.key(1, "list").u8(0x81).raw(new byte[] { 0x00, 0x00, 0x00, 0x02, 0x18, 0x3e, 0x5f, 0x24 });
		byte[] dump = rdb.end();
		int lengthAt = 9 + 2 + 1 + 5;

		assertRefused(dump).withMessage(String.format("offset %,d: list of length %,d exceeds the %,d bytes left",
				lengthAt, 0x2183e5f24L, dump.length - lengthAt - 9));
	}

	@Test
	void malformedEncodingsAreRefusedWithWhatIsWrong() {
		byte[] listpack = SyntheticRdb.listpack(List.of("a", "b"));
		listpack[listpack.length - 2] ^= 0x01;
		assertRefused(single(16, listpack)).withMessageContaining("hash listpack of 13 bytes is malformed");
		byte[] ziplist = SyntheticRdb.ziplist(List.of("a", "b", "c"));
		ziplist[4] = 11;
		assertRefused(single(10, ziplist)).withMessageContaining("ziplist tail offset");
		assertRefused(single(11, SyntheticRdb.intset(2, 5, 3))).withMessageContaining("not greater than the one before");
		assertRefused(single(13, SyntheticRdb.ziplist(List.of("f", "v", "f", "w")))).withMessageContaining("repeats a member");
		assertRefused(single(9, SyntheticRdb.zipmap(List.of()))).withMessageContaining("zipmap is empty");
		byte[] lzf = new SyntheticRdb(10).selectDb(0).key(0, "s").u8(0xc3).length(2).length(10).u8(0xe0).u8(0x05).end();
		assertRefused(lzf).withMessageContaining("LZF data is corrupt");
		assertRefused(new SyntheticRdb(10).u8(0x08).end()).withMessageContaining("unknown opcode or value type 0x08");
	}

	/** {@code REDIS0010}, 200 random bytes, the end marker and a valid CRC-64: the dump of the issue. */
	static byte[] crafted(Random random) {
		byte[] noise = new byte[200];
		random.nextBytes(noise);
		return new SyntheticRdb(10).raw(noise).end();
	}

	private static byte[] single(int type, byte[] encoded) {
		return new SyntheticRdb(10).selectDb(0).key(type, "k").string(encoded).end();
	}

	private static RdbSummary parse(byte[] dump) throws IOException {
		RdbSummary known = RdbParser.parse(new ByteArrayInputStream(dump), dump.length, ANY_VERSION);
		RdbSummary unknown = RdbParser.parse(new ByteArrayInputStream(dump), -1, ANY_VERSION);
		assertThat(unknown).isEqualTo(known);
		RdbCheckingInputStream checking = new RdbCheckingInputStream(new ByteArrayInputStream(dump), ANY_VERSION,
				dump.length);
		assertThat(checking.readAllBytes()).isEqualTo(dump);
		assertThat(checking.summary()).isEqualTo(known);
		return known;
	}

	private static org.assertj.core.api.ThrowableAssertAlternative<InvalidRdbException> assertRefused(byte[] dump) {
		return assertThatExceptionOfType(InvalidRdbException.class)
			.isThrownBy(() -> RdbParser.parse(new ByteArrayInputStream(dump), dump.length, ANY_VERSION));
	}

	private static void assertLoadedByRedis(byte[] dump, long keys, long expires) throws IOException {
		Path file = Files.write(dir.resolve("synthetic-" + System.nanoTime() + ".rdb"), dump);
		try (RedisServerProcess loaded = RedisServerProcess.options().loading(file).start()) {
			Map<Integer, long[]> keyspace = RdbCorpus.keyspace(loaded);
			assertThat(keyspace.values().stream().mapToLong((c) -> c[0]).sum()).isEqualTo(keys);
			assertThat(keyspace.values().stream().mapToLong((c) -> c[1]).sum()).isEqualTo(expires);
		}
	}

}
