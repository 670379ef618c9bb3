package io.coffer.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class EncryptedObjectTests {

	private static final int SEGMENT = EncryptedLayout.SEGMENT_SIZE;

	private static final int STORED_SEGMENT = SEGMENT + EncryptedLayout.TAG_LENGTH;

	@TempDir
	Path dir;

	private Keyring keyring;

	@BeforeEach
	void createKeyring() throws IOException {
		this.keyring = Keyring.generate(this.dir.resolve("keyring"));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + SEGMENT / 2 })
	void decryptsWhatWasEncryptedWithTheLengthTheLayoutPredicts(int length) throws IOException {
		byte[] plaintext = randomBytes(length);

		byte[] stored = encrypt(plaintext);

		assertThat(stored.length).isEqualTo(EncryptedLayout.storedLength(length));
		assertThat(EncryptedLayout.plaintextLength(stored.length)).isEqualTo(length);
		assertThat(decrypt(stored)).isEqualTo(plaintext);
	}

	@Test
	void storesNoPlaintextAndADifferentDataKeyEachTime() throws IOException {
		byte[] plaintext = new byte[4096];

		byte[] first = encrypt(plaintext);
		byte[] second = encrypt(plaintext);

		byte[] firstSegment = Arrays.copyOfRange(first, EncryptedLayout.headerLength(), first.length);
		long zeros = countZeros(firstSegment);
		assertThat(zeros).as("zero bytes in the ciphertext of zeros").isLessThan(100);
		assertThat(firstSegment).isNotEqualTo(Arrays.copyOfRange(second, EncryptedLayout.headerLength(), second.length));
		assertThat(ObjectHeader.parse(Arrays.copyOf(first, ObjectHeader.LENGTH)).keyId())
			.isEqualTo(this.keyring.newest().id());
	}

	@Test
	void writesTheHeaderAndOneEmptyLastSegmentForAnEmptyPlaintext() throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		EncryptingOutputStream encrypting = new EncryptingOutputStream(sink, this.keyring.newest());
		assertThat(sink.toByteArray()).isEqualTo(encrypting.header().toBytes());

		encrypting.close();

		assertThat(sink.size()).isEqualTo(ObjectHeader.LENGTH + EncryptedLayout.TAG_LENGTH);
		assertThat(decrypt(sink.toByteArray())).isEmpty();
	}

	@Test
	void closesTheSinkOnceAndRefusesWritesAfterClose() throws IOException {
		int[] closes = new int[1];
		OutputStream sink = new FilterOutputStream(new ByteArrayOutputStream()) {
			@Override
			public void close() {
				closes[0]++;
			}
		};
		EncryptingOutputStream encrypting = new EncryptingOutputStream(sink, this.keyring.newest());

		encrypting.close();
		encrypting.close();

		assertThat(closes[0]).isEqualTo(1);
		assertThatIOException().isThrownBy(() -> encrypting.write(1));
	}

	@Test
	void aFailedSinkDoesNotGetAWellFormedLastSegment() throws IOException {
		ByteArrayOutputStream written = new ByteArrayOutputStream();
		boolean[] broken = new boolean[1];
		OutputStream sink = new FilterOutputStream(written) {
			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				if (broken[0]) {
					throw new IOException("connection reset");
				}
				out.write(b, off, len);
			}
		};
		EncryptingOutputStream encrypting = new EncryptingOutputStream(sink, this.keyring.newest());
		encrypting.write(randomBytes(SEGMENT));
		broken[0] = true;

		assertThatIOException().isThrownBy(() -> encrypting.write(randomBytes(SEGMENT)));
		broken[0] = false;
		encrypting.close();

		assertThat(written.size()).isEqualTo(ObjectHeader.LENGTH);
	}

	@Test
	void aFlippedBitFailsItsSegmentAndNoBytesOfItAreReturned() throws IOException {
		byte[] plaintext = randomBytes(3 * SEGMENT);
		byte[] stored = encrypt(plaintext);
		stored[(int) EncryptedLayout.storedOffsetOfSegment(1) + 100] ^= 1;

		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(stored), this.keyring)) {
			assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> in.transferTo(received))
				.withMessage("backup object failed authentication at segment 1: tampered or truncated");
			assertThatExceptionOfType(IntegrityException.class).isThrownBy(in::read);
		}
		assertThat(received.toByteArray()).isEqualTo(Arrays.copyOf(plaintext, SEGMENT));
	}

	@Test
	void aTamperedTagFailsTheLastSegment() throws IOException {
		byte[] stored = encrypt(randomBytes(10));
		stored[stored.length - 1] ^= (byte) 0x80;

		assertIntegrityFailure(stored, "at segment 0");
	}

	@Test
	void truncationAtASegmentBoundaryIsDetected() throws IOException {
		byte[] stored = encrypt(randomBytes(2 * SEGMENT + 5));

		assertIntegrityFailure(Arrays.copyOf(stored, (int) EncryptedLayout.storedOffsetOfSegment(2)), "at segment 1");
		assertIntegrityFailure(Arrays.copyOf(stored, (int) EncryptedLayout.storedOffsetOfSegment(1)), "at segment 0");
	}

	@Test
	void truncationInsideASegmentOrTheHeaderIsDetected() throws IOException {
		byte[] stored = encrypt(randomBytes(2 * SEGMENT + 5));

		assertIntegrityFailure(Arrays.copyOf(stored, stored.length - 1), "at segment 2");
		assertIntegrityFailure(Arrays.copyOf(stored, ObjectHeader.LENGTH + 3), "at segment 0");
		assertIntegrityFailure(Arrays.copyOf(stored, ObjectHeader.LENGTH), "at segment 0");
		assertThatExceptionOfType(IntegrityException.class)
			.isThrownBy(() -> decrypt(Arrays.copyOf(stored, ObjectHeader.LENGTH - 1)))
			.withMessageContaining("header is incomplete");
	}

	@Test
	void trailingBytesAreDetected() throws IOException {
		byte[] small = encrypt(randomBytes(10));
		byte[] full = encrypt(randomBytes(SEGMENT));

		assertIntegrityFailure(concat(small, new byte[] { 0 }), "at segment 0");
		assertIntegrityFailure(concat(full, new byte[EncryptedLayout.TAG_LENGTH]), "at segment 0");
	}

	@Test
	void reorderedSegmentsAreDetected() throws IOException {
		byte[] stored = encrypt(randomBytes(3 * SEGMENT));
		byte[] swapped = stored.clone();
		int first = (int) EncryptedLayout.storedOffsetOfSegment(0);
		int second = (int) EncryptedLayout.storedOffsetOfSegment(1);
		System.arraycopy(stored, first, swapped, second, STORED_SEGMENT);
		System.arraycopy(stored, second, swapped, first, STORED_SEGMENT);

		assertIntegrityFailure(swapped, "at segment 0");
	}

	@Test
	void aSegmentFromAnotherObjectIsDetectedEvenUnderTheSameHeader() throws IOException {
		byte[] plaintext = randomBytes(2 * SEGMENT);
		byte[] stored = encrypt(plaintext);
		byte[] other = encrypt(plaintext);
		int second = (int) EncryptedLayout.storedOffsetOfSegment(1);
		System.arraycopy(other, second, stored, second, STORED_SEGMENT);

		assertIntegrityFailure(stored, "at segment 1");
	}

	@Test
	void aTamperedHeaderIsDetected() throws IOException {
		byte[] stored = encrypt(randomBytes(100));
		// nonce prefix: part of every segment's associated data
		byte[] prefixChanged = stored.clone();
		prefixChanged[15] ^= 1;
		assertIntegrityFailure(prefixChanged, "at segment 0");
		// wrapped data key: authenticated by the KEK
		byte[] wrappedKeyChanged = stored.clone();
		wrappedKeyChanged[ObjectHeader.LENGTH - 1] ^= 1;
		assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> decrypt(wrappedKeyChanged))
			.withMessageContaining("header failed authentication");
		// segment size and format version are checked before anything is decrypted
		byte[] segmentSizeChanged = stored.clone();
		segmentSizeChanged[10] ^= 1;
		assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> decrypt(segmentSizeChanged));
		byte[] magicChanged = stored.clone();
		magicChanged[0] = 'X';
		assertThatIOException().isThrownBy(() -> decrypt(magicChanged)).withMessageContaining("bad magic");
	}

	@Test
	void anObjectWrappedWithAKeyThatIsNotInTheKeyringNamesThatKey() throws IOException {
		Keyring other = Keyring.generate(this.dir.resolve("other-keyring"));
		byte[] stored = encrypt(randomBytes(10), other.newest());

		assertThatExceptionOfType(UnknownKeyException.class).isThrownBy(() -> decrypt(stored))
			.withMessage("object encrypted with key " + other.newest().id() + ", which is not in the keyring");
	}

	@Test
	void decryptingFromAMiddleSegmentGivesTheSameBytesAsTheWhole() throws IOException {
		byte[] plaintext = randomBytes(3 * SEGMENT + 777);
		byte[] stored = encrypt(plaintext);
		long rangeStart = 2L * SEGMENT + 123;

		ObjectHeader header = ObjectHeader.read(new ByteArrayInputStream(stored));
		long segment = EncryptedLayout.segmentIndexOf(rangeStart);
		int storedOffset = (int) EncryptedLayout.storedOffsetOfSegment(segment);
		InputStream atSegment = new ByteArrayInputStream(stored, storedOffset, stored.length - storedOffset);
		byte[] range;
		try (InputStream in = DecryptingInputStream.fromSegment(header, segment, atSegment, this.keyring)) {
			in.skipNBytes(rangeStart - EncryptedLayout.plaintextOffsetOfSegment(segment));
			range = in.readAllBytes();
		}

		assertThat(header.headerLength()).isEqualTo(EncryptedLayout.headerLength());
		assertThat(segment).isEqualTo(2);
		assertThat(range).isEqualTo(Arrays.copyOfRange(plaintext, (int) rangeStart, plaintext.length));
	}

	@Test
	void aRangeStreamThatStopsEarlyIsTruncated() throws IOException {
		byte[] stored = encrypt(randomBytes(3 * SEGMENT + 777));
		ObjectHeader header = ObjectHeader.read(new ByteArrayInputStream(stored));
		int from = (int) EncryptedLayout.storedOffsetOfSegment(1);
		int to = (int) EncryptedLayout.storedOffsetOfSegment(2);
		InputStream stopsAfterOneSegment = new ByteArrayInputStream(stored, from, to - from);

		try (InputStream in = DecryptingInputStream.fromSegment(header, 1, stopsAfterOneSegment, this.keyring)) {
			assertThatExceptionOfType(IntegrityException.class).isThrownBy(in::readAllBytes)
				.withMessageContaining("at segment 1");
		}
	}

	@Test
	void aRangeStreamGivenTheWrongSegmentIndexFails() throws IOException {
		byte[] stored = encrypt(randomBytes(3 * SEGMENT));
		ObjectHeader header = ObjectHeader.read(new ByteArrayInputStream(stored));
		int from = (int) EncryptedLayout.storedOffsetOfSegment(1);

		try (InputStream in = DecryptingInputStream.fromSegment(header, 2,
				new ByteArrayInputStream(stored, from, stored.length - from), this.keyring)) {
			assertThatExceptionOfType(IntegrityException.class).isThrownBy(in::readAllBytes);
		}
	}

	@Test
	void layoutRejectsImpossibleStoredLengths() {
		assertThatIllegalArgumentException().isThrownBy(() -> EncryptedLayout.plaintextLength(ObjectHeader.LENGTH + 15));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> EncryptedLayout.plaintextLength(ObjectHeader.LENGTH + STORED_SEGMENT + 3));
		assertThat(EncryptedLayout.plaintextLength(ObjectHeader.LENGTH + 2L * STORED_SEGMENT)).isEqualTo(2L * SEGMENT);
		assertThat(EncryptedLayout.segmentIndexOf(SEGMENT - 1)).isZero();
		assertThat(EncryptedLayout.segmentIndexOf(SEGMENT)).isOne();
	}

	@Test
	void rewrapMovesTheDataKeyToANewKeyWithoutTouchingTheSegments() throws IOException {
		byte[] plaintext = randomBytes(SEGMENT + 10);
		Path keyringFile = this.dir.resolve("keyring");
		byte[] stored = encrypt(plaintext);
		ObjectHeader header = ObjectHeader.read(new ByteArrayInputStream(stored));
		KeyEncryptionKey newKek = this.keyring.addNewKey();

		byte[] newHeader = header.rewrap(this.keyring, newKek);

		assertThat(newHeader).hasSize(ObjectHeader.LENGTH);
		assertThat(ObjectHeader.parse(newHeader).keyId()).isEqualTo(newKek.id());
		byte[] rewrapped = stored.clone();
		System.arraycopy(newHeader, 0, rewrapped, 0, newHeader.length);
		List<String> lines = Files.readAllLines(keyringFile);
		Path onlyNewKey = this.dir.resolve("only-new-key");
		Files.writeString(onlyNewKey, lines.get(lines.size() - 1) + "\n");
		Keyring withoutOldKey = Keyring.load(onlyNewKey);
		try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(rewrapped), withoutOldKey)) {
			assertThat(in.readAllBytes()).isEqualTo(plaintext);
		}
		assertThatExceptionOfType(UnknownKeyException.class)
			.isThrownBy(() -> new DecryptingInputStream(new ByteArrayInputStream(stored), withoutOldKey));
	}

	private void assertIntegrityFailure(byte[] stored, String where) {
		assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> decrypt(stored))
			.withMessageContaining(where)
			.withMessageContaining("tampered or truncated");
	}

	private byte[] encrypt(byte[] plaintext) throws IOException {
		return encrypt(plaintext, this.keyring.newest());
	}

	private static byte[] encrypt(byte[] plaintext, KeyEncryptionKey kek) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		try (OutputStream out = new EncryptingOutputStream(sink, kek)) {
			// uneven writes, to cross segment boundaries in the middle of a write
			int offset = 0;
			while (offset < plaintext.length) {
				int chunk = Math.min(plaintext.length - offset, 300_001);
				out.write(plaintext, offset, chunk);
				offset += chunk;
			}
		}
		return sink.toByteArray();
	}

	private byte[] decrypt(byte[] stored) throws IOException {
		try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(stored), this.keyring)) {
			return in.readAllBytes();
		}
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

	private static long countZeros(byte[] bytes) {
		long zeros = 0;
		for (byte b : bytes) {
			zeros += (b == 0) ? 1 : 0;
		}
		return zeros;
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

}
