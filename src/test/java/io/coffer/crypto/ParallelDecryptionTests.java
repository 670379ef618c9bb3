package io.coffer.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

class ParallelDecryptionTests {

	private static final int SEGMENT = EncryptedLayout.SEGMENT_SIZE;

	@TempDir
	static Path dir;

	private static Keyring keyring;

	private DecryptionPool pool;

	@BeforeAll
	static void createKeyring() throws IOException {
		keyring = Keyring.generate(dir.resolve("keyring"));
	}

	@BeforeEach
	void createPool() {
		this.pool = new DecryptionPool(2);
	}

	@AfterEach
	void closePool() {
		this.pool.close();
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 4095, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT, 4 * SEGMENT,
			7 * SEGMENT + 12_345 })
	void returnsInOrderWhatTheSequentialDecrypterReturns(int length) throws IOException {
		byte[] plaintext = randomBytes(length);
		byte[] stored = encrypt(plaintext);

		byte[] sequential;
		try (InputStream in = new DecryptingInputStream(new ByteArrayInputStream(stored), keyring)) {
			sequential = in.readAllBytes();
		}
		byte[] parallel = readInOddChunks(ParallelDecryptingInputStream.of(new ByteArrayInputStream(stored),
				keyring, this.pool));

		assertThat(parallel).isEqualTo(sequential).isEqualTo(plaintext);
	}

	@Test
	void readsByteByByteAndWithOneSegmentOfReadAhead() throws IOException {
		byte[] plaintext = randomBytes(2 * SEGMENT + 3);
		byte[] stored = encrypt(plaintext);
		ObjectHeader header = ObjectHeader.parse(Arrays.copyOf(stored, ObjectHeader.LENGTH));

		try (InputStream in = ParallelDecryptingInputStream.fromSegment(header, 0, segmentsOf(stored, 0), keyring,
				this.pool, 1)) {
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			int b;
			while ((b = in.read()) != -1) {
				received.write(b);
			}
			assertThat(received.toByteArray()).isEqualTo(plaintext);
			assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
		}
	}

	@Test
	void startsAtAnySegment() throws IOException {
		byte[] plaintext = randomBytes(5 * SEGMENT + 77);
		byte[] stored = encrypt(plaintext);
		ObjectHeader header = ObjectHeader.parse(Arrays.copyOf(stored, ObjectHeader.LENGTH));

		byte[] fromThird = readInOddChunks(ParallelDecryptingInputStream.fromSegment(header, 3, segmentsOf(stored, 3),
				keyring, this.pool, ParallelDecryptingInputStream.DEFAULT_READ_AHEAD));

		assertThat(fromThird).isEqualTo(Arrays.copyOfRange(plaintext, 3 * SEGMENT, plaintext.length));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 3, 5 })
	void aFlippedByteFailsExactlyAtItsSegmentAndNothingOfItIsReturned(int segment) throws IOException {
		byte[] plaintext = randomBytes(5 * SEGMENT + 1000);
		byte[] stored = encrypt(plaintext);
		stored[(int) EncryptedLayout.storedOffsetOfSegment(segment) + 10] ^= 1;

		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try (InputStream in = ParallelDecryptingInputStream.of(new ByteArrayInputStream(stored), keyring,
				this.pool)) {
			assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> in.transferTo(received))
				.withMessage("backup object failed authentication at segment " + segment + ": tampered or truncated");
			// never resumes after the failed segment
			assertThatExceptionOfType(IntegrityException.class).isThrownBy(in::read);
		}
		assertThat(received.toByteArray()).isEqualTo(Arrays.copyOf(plaintext, segment * SEGMENT));
	}

	@Test
	void aTruncatedObjectFailsAtTheSegmentItWasCutIn() throws IOException {
		byte[] plaintext = randomBytes(3 * SEGMENT + 5);
		byte[] stored = encrypt(plaintext);

		assertFailsAfter(Arrays.copyOf(stored, stored.length - 1), 3, "at segment 3");
		// cut at a boundary: the segment before the cut is taken as the last one, which it is not
		assertFailsAfter(Arrays.copyOf(stored, (int) EncryptedLayout.storedOffsetOfSegment(3)), 2, "at segment 2");
		assertFailsAfter(Arrays.copyOf(stored, ObjectHeader.LENGTH + 3), 0, "at segment 0");
	}

	@Test
	void storageFailingMidWayFailsAfterTheSegmentsReadWholeWithTheStoragesOwnException() throws IOException {
		byte[] plaintext = randomBytes(6 * SEGMENT);
		byte[] stored = encrypt(plaintext);
		IOException storageFailure = new IOException("storage went away");
		long failAt = EncryptedLayout.storedOffsetOfSegment(4) + 500;
		InputStream failing = new FailingAfter(new ByteArrayInputStream(stored), failAt, storageFailure);

		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try (InputStream in = ParallelDecryptingInputStream.of(failing, keyring, this.pool)) {
			assertThatIOException().isThrownBy(() -> in.transferTo(received)).isSameAs(storageFailure);
			assertThatIOException().isThrownBy(in::read).isSameAs(storageFailure);
		}
		assertThat(received.toByteArray()).isEqualTo(Arrays.copyOf(plaintext, 4 * SEGMENT));
	}

	@Test
	void closingMidStreamEndsTheReadAheadEvenWhenStorageHangs() throws Exception {
		byte[] stored = encrypt(randomBytes(8 * SEGMENT));
		Hanging hanging = new Hanging(stored, (int) EncryptedLayout.storedOffsetOfSegment(2) + 10);
		ParallelDecryptingInputStream in = ParallelDecryptingInputStream.of(hanging, keyring, this.pool);
		assertThat(in.readNBytes(SEGMENT + 1)).hasSize(SEGMENT + 1);
		assertThat(hanging.reached.await(10, TimeUnit.SECONDS)).as("storage reached the hanging byte").isTrue();
		assertThat(in.readingAhead()).isTrue();

		in.close();

		assertThat(in.readingAhead()).isFalse();
		assertThat(hanging.closed).isTrue();
		assertThatIOException().isThrownBy(in::read).withMessage("decrypting stream is closed");
	}

	@Test
	void closingAStreamNobodyReadsEndsItsReadAhead() throws Exception {
		byte[] stored = encrypt(randomBytes(12 * SEGMENT));
		ParallelDecryptingInputStream in = ParallelDecryptingInputStream.of(new ByteArrayInputStream(stored),
				keyring, this.pool);
		assertThat(in.read()).isNotEqualTo(-1);

		in.close();

		assertThat(in.readingAhead()).isFalse();
	}

	@Test
	void manyStreamsAtOnceShareThePoolAndEachGetsItsOwnBytes() throws Exception {
		int streams = 16;
		List<byte[]> plaintexts = new ArrayList<>();
		List<byte[]> objects = new ArrayList<>();
		for (int i = 0; i < streams; i++) {
			byte[] plaintext = randomBytes(3 * SEGMENT + i * 1001);
			plaintexts.add(plaintext);
			objects.add(encrypt(plaintext));
		}
		ExecutorService readers = Executors.newFixedThreadPool(streams);
		try {
			List<Future<byte[]>> results = new ArrayList<>();
			for (byte[] object : objects) {
				results.add(readers.submit(() -> readInOddChunks(
						ParallelDecryptingInputStream.of(new ByteArrayInputStream(object), keyring, this.pool))));
			}
			for (int i = 0; i < streams; i++) {
				assertThat(results.get(i).get(60, TimeUnit.SECONDS)).as("stream " + i).isEqualTo(plaintexts.get(i));
			}
		}
		finally {
			readers.shutdownNow();
		}
		assertThat(this.pool.threads()).isLessThanOrEqualTo(2);
	}

	private void assertFailsAfter(byte[] stored, int segments, String where) throws IOException {
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try (InputStream in = ParallelDecryptingInputStream.of(new ByteArrayInputStream(stored), keyring,
				this.pool)) {
			assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> in.transferTo(received))
				.withMessageContaining(where);
		}
		assertThat(received.size()).isEqualTo(segments * SEGMENT);
	}

	/** Reads to the end in reads of an odd size, which cross segment boundaries. */
	private static byte[] readInOddChunks(InputStream in) throws IOException {
		try (in) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			byte[] buffer = new byte[77_777];
			int read;
			while ((read = in.read(buffer, 3, buffer.length - 3)) != -1) {
				out.write(buffer, 3, read);
			}
			return out.toByteArray();
		}
	}

	private static InputStream segmentsOf(byte[] stored, long segment) {
		int from = (int) EncryptedLayout.storedOffsetOfSegment(segment);
		return new ByteArrayInputStream(stored, from, stored.length - from);
	}

	private byte[] encrypt(byte[] plaintext) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		try (OutputStream out = new EncryptingOutputStream(sink, keyring.newest())) {
			out.write(plaintext);
		}
		return sink.toByteArray();
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

	/** Storage that fails with {@code failure} once {@code limit} bytes were read. */
	private static final class FailingAfter extends InputStream {

		private final InputStream in;

		private final IOException failure;

		private long remaining;

		FailingAfter(InputStream in, long limit, IOException failure) {
			this.in = in;
			this.remaining = limit;
			this.failure = failure;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) == -1) ? -1 : Byte.toUnsignedInt(one[0]);
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			if (this.remaining == 0) {
				throw this.failure;
			}
			int read = this.in.read(bytes, offset, (int) Math.min(length, this.remaining));
			if (read > 0) {
				this.remaining -= read;
			}
			return read;
		}

	}

	/** Storage that sends {@code limit} bytes, then waits until it is closed, like a server that stopped. */
	private static final class Hanging extends InputStream {

		private final ByteArrayInputStream in;

		private final CountDownLatch closing = new CountDownLatch(1);

		private final CountDownLatch reached = new CountDownLatch(1);

		private volatile boolean closed;

		private int remaining;

		Hanging(byte[] bytes, int limit) {
			this.in = new ByteArrayInputStream(bytes);
			this.remaining = limit;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) == -1) ? -1 : Byte.toUnsignedInt(one[0]);
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			if (this.remaining == 0) {
				this.reached.countDown();
				while (!this.closed) {
					try {
						this.closing.await();
					}
					catch (InterruptedException ex) {
						// only the close ends the wait, as with a socket
					}
				}
				throw new IOException("closed");
			}
			int read = this.in.read(bytes, offset, Math.min(length, this.remaining));
			this.remaining -= read;
			return read;
		}

		@Override
		public void close() {
			this.closed = true;
			this.closing.countDown();
		}

	}

}
