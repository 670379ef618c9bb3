package io.coffer.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class DigestingOutputStreamTests {

	@Test
	void passesBytesOnAndKnowsTheirSizeAndSha256AfterClose() throws IOException {
		ByteArrayOutputStream next = new ByteArrayOutputStream();
		DigestingOutputStream digesting = new DigestingOutputStream(next);

		digesting.write('a');
		digesting.write("xbcx".getBytes(StandardCharsets.US_ASCII), 1, 2);
		assertThatIllegalStateException().isThrownBy(digesting::sha256Hex);
		digesting.close();

		assertThat(next.toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
		assertThat(digesting.size()).isEqualTo(3);
		assertThat(digesting.sha256Hex())
			.isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}

	@Test
	void digestsAnEmptyStream() throws IOException {
		DigestingOutputStream digesting = new DigestingOutputStream(new ByteArrayOutputStream());

		digesting.close();
		digesting.close();

		assertThat(digesting.size()).isZero();
		assertThat(digesting.sha256Hex())
			.isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	}

}
