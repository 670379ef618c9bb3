package io.coffer.pipeline;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class BackgroundDigestTests {

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 1000, 4096, 4097, 3 * 4096 + 5, 1_000_000 })
	void isTheSha256OfEveryByteGivenInOrderWhateverTheBufferBoundaries(int length) throws Exception {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);

		String hex;
		try (BackgroundDigest digest = new BackgroundDigest(2, 4096)) {
			// pieces of uneven sizes, some larger than a buffer
			int offset = 0;
			int piece = 1;
			while (offset < length) {
				int chunk = Math.min(piece, length - offset);
				digest.update(bytes, offset, chunk);
				offset += chunk;
				piece = piece * 3 + 1;
			}
			hex = digest.hex();
			assertThat(digest.hex()).isEqualTo(hex);
		}

		assertThat(hex).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
	}

	@Test
	void takesNoBytesOnceFinished() throws Exception {
		try (BackgroundDigest digest = new BackgroundDigest()) {
			digest.update(new byte[10], 0, 10);
			digest.hex();

			assertThatIllegalStateException().isThrownBy(() -> digest.update(new byte[1], 0, 1));
		}
	}

	@Test
	void aBufferGivenBackIsReusedWithoutChangingWhatWasDigested() throws Exception {
		byte[] buffer = new byte[8192];
		MessageDigest expected = MessageDigest.getInstance("SHA-256");
		try (BackgroundDigest digest = new BackgroundDigest(1, 1024)) {
			for (int round = 0; round < 50; round++) {
				// the caller refills its buffer at once, as a copy loop does
				java.util.Arrays.fill(buffer, (byte) round);
				digest.update(buffer, 0, buffer.length);
				expected.update(buffer);
			}
			assertThat(digest.hex()).isEqualTo(HexFormat.of().formatHex(expected.digest()));
		}
	}

}
