package io.coffer.pipeline.rdb;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RdbEncodingsTests {

	@Test
	void lzfBackReferencesThatOverlapWhatTheyWriteRepeatTheirPattern() throws Exception {
		// "abc" literally, then 10 bytes from 3 back (a pattern of period 3 written over itself),
		// then 200 bytes from 1 back (a run of the last byte)
		byte[] compressed = { 2, 'a', 'b', 'c', (byte) (7 << 5), 10 - 2 - 7, 3 - 1, (byte) (7 << 5), (byte) (200 - 2 - 7), 0 };
		byte[] out = new byte[213];

		RdbEncodings.lzfDecompress(compressed, compressed.length, out, out.length);

		assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("abc" + "abcabcabca" + "a".repeat(200));
	}

	@Test
	void lzfFromTheMiddleOfABufferReadsOnlyItsOwnBytes() throws Exception {
		byte[] buffer = { 9, 9, 1, 'o', 'k', (byte) (1 << 5), 1, 9 };
		byte[] out = new byte[5];

		RdbEncodings.lzfDecompress(buffer, 2, 5, out, out.length);

		assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("okoko");
		assertThatExceptionOfType(RdbEncodings.Malformed.class)
			.isThrownBy(() -> RdbEncodings.lzfDecompress(buffer, 2, 4, out, out.length))
			.withMessageContaining("passes the end of the compressed data");
	}

}
