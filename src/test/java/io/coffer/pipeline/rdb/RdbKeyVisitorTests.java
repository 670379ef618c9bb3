package io.coffer.pipeline.rdb;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import io.coffer.testsupport.RdbCorpus;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The raw value bytes the parser hands a visitor are exactly what {@code DUMP} answers for the key before its
 * trailer (RDB version and CRC-64), for every type and encoding a real server writes, with each key's expiry.
 */
class RdbKeyVisitorTests {

	@Test
	void everyValueIsHandedOverAsDumpSerializesIt(@TempDir Path folder) throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			RdbCorpus.write(redis, 1);
			byte[] dump = RdbCorpus.dump(redis, folder);
			Map<String, byte[]> values = new TreeMap<>();
			Map<String, Long> expiries = new TreeMap<>();
			int[] version = new int[1];
			RdbSummary summary = RdbParser.parse(new ByteArrayInputStream(dump), dump.length, 13, new RdbKeyVisitor() {

				@Override
				public void header(int rdbVersion) {
					version[0] = rdbVersion;
				}

				@Override
				public Value key(int db, byte[] key, long expiresAtMs, int type) {
					String name = db + "/" + new String(key, StandardCharsets.UTF_8);
					expiries.put(name, expiresAtMs);
					ByteArrayOutputStream bytes = new ByteArrayOutputStream();
					return new Value() {

						@Override
						public void write(byte[] b, int offset, int length) {
							bytes.write(b, offset, length);
						}

						@Override
						public void end(boolean loaded) {
							values.put(name, bytes.toByteArray());
						}

					};
				}

			});
			assertThat((long) values.size()).isGreaterThanOrEqualTo(summary.totalKeys());
			int compared = 0;
			try (Jedis jedis = redis.jedis()) {
				for (Map.Entry<String, byte[]> value : values.entrySet()) {
					int slash = value.getKey().indexOf('/');
					jedis.select(Integer.parseInt(value.getKey().substring(0, slash)));
					String key = value.getKey().substring(slash + 1);
					byte[] dumped = jedis.dump(key);
					if (dumped == null) {
						// the stream trimmed to nothing: Redis keeps it, the dump holds it
						continue;
					}
					byte[] expected = java.util.Arrays.copyOf(dumped, dumped.length - 10);
					assertThat(HexFormat.of().formatHex(value.getValue())).as(value.getKey())
						.isEqualTo(HexFormat.of().formatHex(expected));
					assertThat((dumped[dumped.length - 10] & 0xff) | (dumped[dumped.length - 9] & 0xff) << 8)
						.isEqualTo(version[0]);
					assertThat(expiries.get(value.getKey())).as(value.getKey()).isEqualTo(jedis.pexpireTime(key));
					compared++;
				}
			}
			assertThat(compared).isGreaterThan(10_000 / 5);
		}
	}

}
