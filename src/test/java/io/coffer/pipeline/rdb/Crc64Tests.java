package io.coffer.pipeline.rdb;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Crc64Tests {

	@Test
	void matchesRedisCheckValue() {
		assertThat(Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xe9c6d914c4b8d9caL);
	}

	@Test
	void isZeroForNothing() {
		assertThat(Crc64.of(new byte[0])).isZero();
	}

	@Test
	void givesTheSameValueWhateverTheChunksAndOffsets() {
		byte[] data = new byte[10_007];
		new Random(42).nextBytes(data);
		long whole = Crc64.of(data);

		Crc64 byteByByte = new Crc64();
		for (byte b : data) {
			byteByByte.update(b);
		}
		Crc64 unevenChunks = new Crc64();
		int offset = 0;
		for (int chunk = 1; offset < data.length; chunk = chunk * 3 % 17 + 1) {
			int length = Math.min(chunk, data.length - offset);
			unevenChunks.update(data, offset, length);
			offset += length;
		}

		assertThat(byteByByte.getValue()).isEqualTo(whole);
		assertThat(unevenChunks.getValue()).isEqualTo(whole);
		data[5000] ^= 1;
		assertThat(Crc64.of(data)).isNotEqualTo(whole);
	}

}
