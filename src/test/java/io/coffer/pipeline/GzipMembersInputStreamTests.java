package io.coffer.pipeline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * Members of known sizes are inflated on the shared pool, ahead of the reader and served in order: the
 * bytes are those a sequential reader gives, a damaged member fails where it starts (after every byte
 * before it), a stream closed mid-way leaves no inflater open, and members of {@code gzip} and
 * {@code pigz}, which stream, still read, alone or between Coffer's.
 */
class GzipMembersInputStreamTests {

	private static final int BLOCK = 256 * 1024;

	@TempDir
	Path dir;

	static Iterable<DeflateLibrary> libraries() {
		return DeflateLibraryTests.libraries();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void manyMembersReadOnThePoolGiveTheBytesASequentialReaderGives(DeflateLibrary library) throws IOException {
		byte[] data = DeflateLibraryTests.mixed(23 * BLOCK + 777);
		byte[] gzip = DeflateLibraryTests.compress(library, 1, data);
		Counting counting = new Counting(library);

		byte[] parallel;
		try (InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(gzip), counting)) {
			parallel = readInOddChunks(in);
		}

		assertThat(parallel).isEqualTo(sequential(gzip)).isEqualTo(data);
		assertThat(counting.threads).allMatch((name) -> name.startsWith("coffer-inflate"));
		assertThat(counting.opened.get()).isBetween(1, GzipMembersInputStream.READ_AHEAD);
		assertThat(counting.closed.get()).isEqualTo(counting.opened.get());
	}

	@Test
	void aDamagedMemberFailsWhereItStartsAfterEveryByteBeforeIt() throws IOException {
		DeflateLibrary library = DeflateLibraries.active();
		ByteArrayOutputStream gzip = new ByteArrayOutputStream();
		byte[][] blocks = new byte[12][];
		int damagedOffset = 0;
		for (int i = 0; i < blocks.length; i++) {
			blocks[i] = DeflateLibraryTests.mixed(BLOCK);
			byte[] member = DeflateLibraryTests.compress(library, 1, blocks[i]);
			if (i == 7) {
				damagedOffset = gzip.size() + member.length / 2;
			}
			gzip.write(member);
		}
		byte[] damaged = gzip.toByteArray();
		damaged[damagedOffset] ^= 0x10;

		ByteArrayOutputStream served = new ByteArrayOutputStream();
		try (InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(damaged), library)) {
			byte[] buffer = new byte[10_000];
			assertThatIOException().isThrownBy(() -> {
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					served.write(buffer, 0, n);
				}
			}).withMessageContaining("gzip member 8 is corrupt");
		}
		assertThat(served.size()).isEqualTo(7 * BLOCK);
		for (int i = 0; i < 7; i++) {
			assertThat(Arrays.copyOfRange(served.toByteArray(), i * BLOCK, (i + 1) * BLOCK)).isEqualTo(blocks[i]);
		}
	}

	@Test
	void aStreamCutOrFollowedByOtherBytesFailsAfterTheMembersBefore() throws IOException {
		DeflateLibrary library = DeflateLibraries.active();
		byte[] data = DeflateLibraryTests.mixed(6 * BLOCK);
		byte[] gzip = DeflateLibraryTests.compress(library, 1, data);

		byte[] cut = Arrays.copyOf(gzip, gzip.length - 5);
		ByteArrayOutputStream served = new ByteArrayOutputStream();
		assertThatIOException().isThrownBy(() -> copy(cut, library, served)).withMessageContaining("truncated");
		assertThat(served.size()).isEqualTo(5 * BLOCK);

		byte[] followed = Arrays.copyOf(gzip, gzip.length + 3);
		followed[gzip.length] = 'x';
		ByteArrayOutputStream before = new ByteArrayOutputStream();
		assertThatIOException().isThrownBy(() -> copy(followed, library, before))
			.withMessageContaining("after gzip member 6 is not gzip");
		assertThat(before.toByteArray()).isEqualTo(data);
	}

	@Test
	void aStreamClosedMidWayClosesEveryInflaterItOpened() throws IOException {
		byte[] gzip = DeflateLibraryTests.compress(DeflateLibraries.active(), 1, DeflateLibraryTests.mixed(40 * BLOCK));
		Counting counting = new Counting(DeflateLibraries.active());
		InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(gzip), counting);
		assertThat(in.readNBytes(BLOCK + 10)).hasSize(BLOCK + 10);

		in.close();

		assertThatIOException().isThrownBy(in::read).withMessageContaining("closed");
		assertThat(counting.opened.get()).isPositive();
		// members still inflating when it closed give their inflater back afterwards, which closes it
		await().atMost(Duration.ofSeconds(10)).until(() -> counting.closed.get() == counting.opened.get());
	}

	@Test
	void membersOfGzipAndPigzStreamAloneOrBetweenCoffersOwn() throws Exception {
		byte[] data = DeflateLibraryTests.mixed(3 * BLOCK + 5);
		Path plain = Files.write(this.dir.resolve("dump"), data);
		byte[] gzip = tool("gzip", "-1", "-c", plain.toString());
		byte[] pigz = tool("pigz", "-1", "-p", "2", "-c", plain.toString());
		byte[] coffer = DeflateLibraryTests.compress(DeflateLibraries.active(), 1, data);

		assertThat(readAll(gzip)).isEqualTo(data);
		assertThat(readAll(pigz)).isEqualTo(data);
		byte[] mixed = concat(coffer, gzip, coffer, pigz, coffer);
		assertThat(readAll(mixed)).isEqualTo(sequential(mixed));
		assertThat(readAll(mixed)).hasSize(5 * data.length);
	}

	private byte[] tool(String... command) throws Exception {
		Path out = this.dir.resolve(command[0] + ".gz");
		Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		assertThat(process.waitFor()).isZero();
		return Files.readAllBytes(out);
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			all.writeBytes(part);
		}
		return all.toByteArray();
	}

	private static byte[] readAll(byte[] gzip) throws IOException {
		try (InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(gzip))) {
			return readInOddChunks(in);
		}
	}

	private static void copy(byte[] gzip, DeflateLibrary library, ByteArrayOutputStream served) throws IOException {
		try (InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(gzip), library)) {
			byte[] buffer = new byte[4096];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				served.write(buffer, 0, n);
			}
		}
	}

	/** java.util.zip's reader, one member after the other. */
	private static byte[] sequential(byte[] gzip) throws IOException {
		try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
			return in.readAllBytes();
		}
	}

	private static byte[] readInOddChunks(InputStream in) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int[] sizes = { 1, 7, 4096, 65_537, 300_000 };
		int turn = 0;
		while (true) {
			byte[] buffer = new byte[sizes[turn++ % sizes.length]];
			int n = in.read(buffer);
			if (n < 0) {
				return out.toByteArray();
			}
			out.write(buffer, 0, n);
		}
	}

	/** A library that counts the inflaters it opens and closes, and names the threads that inflate. */
	private static final class Counting implements DeflateLibrary {

		final DeflateLibrary library;

		final AtomicInteger opened = new AtomicInteger();

		final AtomicInteger closed = new AtomicInteger();

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		Counting(DeflateLibrary library) {
			this.library = library;
		}

		@Override
		public String id() {
			return this.library.id();
		}

		@Override
		public String description() {
			return this.library.description();
		}

		@Override
		public BlockDeflater newDeflater(int gzipLevel) {
			return this.library.newDeflater(gzipLevel);
		}

		@Override
		public BlockInflater newInflater() {
			BlockInflater inflater = this.library.newInflater();
			this.opened.incrementAndGet();
			return new BlockInflater() {

				@Override
				public void inflate(byte[] in, int inLength, byte[] out, int outLength) throws DataFormatException {
					Counting.this.threads.add(Thread.currentThread().getName());
					inflater.inflate(in, inLength, out, outLength);
				}

				@Override
				public void close() {
					Counting.this.closed.incrementAndGet();
					inflater.close();
				}

			};
		}

		@Override
		public int nativeLevel(int gzipLevel) {
			return this.library.nativeLevel(gzipLevel);
		}

	}

}
