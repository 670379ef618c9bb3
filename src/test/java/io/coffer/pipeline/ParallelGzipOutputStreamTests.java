package io.coffer.pipeline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

class ParallelGzipOutputStreamTests {

	private static final int BLOCK = 64 * 1024;

	@TempDir
	Path dir;

	@Test
	void randomBlocksAreStoredAndCompressibleOnesDeflatedInTheSameValidStream() throws IOException {
		byte[] random = new byte[3 * 1024 * 1024];
		new Random(7).nextBytes(random);
		byte[] text = "the same sentence, again and again. ".repeat(90_000).getBytes(StandardCharsets.US_ASCII);
		ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
		try (ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(gzipped, 6, 2, 1024 * 1024)) {
			gzip.write(random);
			gzip.write(text);
		}

		assertThat(ParallelGzipOutputStream.looksIncompressible(random, 1024 * 1024)).isTrue();
		assertThat(ParallelGzipOutputStream.looksIncompressible(text, 1024 * 1024)).isFalse();
		// stored blocks cost a few bytes per 64 KiB; the text shrinks to almost nothing
		assertThat(gzipped.size()).isBetween(random.length, random.length + text.length / 50);
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.toByteArray()))) {
			byte[] back = in.readAllBytes();
			assertThat(Arrays.copyOfRange(back, 0, random.length)).isEqualTo(random);
			assertThat(Arrays.copyOfRange(back, random.length, back.length)).isEqualTo(text);
		}
	}

	@Test
	void writesIndependentMembersThatGzipReadersReadAsOneStream() throws IOException {
		byte[] data = compressibleBytes(10 * BLOCK + 12_345);

		byte[] gzip = compress(data, 4, BLOCK);

		assertThat(new GZIPInputStream(new ByteArrayInputStream(gzip)).readAllBytes()).isEqualTo(data);
		assertThat(new GzipCompressorInputStream(new ByteArrayInputStream(gzip), true).readAllBytes()).isEqualTo(data);
		// reading only the first member gives exactly the first block: members are independent
		assertThat(new GzipCompressorInputStream(new ByteArrayInputStream(gzip), false).readAllBytes())
			.isEqualTo(Arrays.copyOf(data, BLOCK));
		assertThat(gzip.length).isLessThan(data.length / 2);
	}

	@Test
	void gzipCommandAcceptsTheOutputAndRejectsItCorrupted() throws Exception {
		byte[] data = compressibleBytes(5 * BLOCK + 1);
		Path file = this.dir.resolve("data.gz");
		Files.write(file, compress(data, 3, BLOCK));

		assertThat(GzipToolsTests.run(this.dir, "gzip", "-t", file.toString())).isZero();
		assertThat(GzipToolsTests.run(this.dir, "gzip", "-dk", file.toString())).isZero();
		assertThat(Files.readAllBytes(this.dir.resolve("data"))).isEqualTo(data);

		byte[] corrupt = Files.readAllBytes(file);
		corrupt[corrupt.length / 2] ^= 0x55;
		Path corruptFile = this.dir.resolve("corrupt.gz");
		Files.write(corruptFile, corrupt);
		assertThat(GzipToolsTests.run(this.dir, "gzip", "-t", corruptFile.toString())).isNotZero();
	}

	@Test
	void tarExtractsATarGzWrittenThroughIt() throws Exception {
		byte[] dump = compressibleBytes(3 * ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE + 99);
		byte[] manifest = "{\"database\":\"db-1\"}".getBytes(StandardCharsets.UTF_8);
		Path archive = this.dir.resolve("backup.tar.gz");
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
				new ParallelGzipOutputStream(Files.newOutputStream(archive), 6, 4))) {
			GzipToolsTests.addEntry(tar, "dump.rdb", dump);
			GzipToolsTests.addEntry(tar, "backup.json", manifest);
		}
		Path extracted = Files.createDirectories(this.dir.resolve("extracted"));

		assertThat(GzipToolsTests.run(this.dir, "tar", "xzf", archive.toString(), "-C", extracted.toString())).isZero();
		assertThat(Files.readAllBytes(extracted.resolve("dump.rdb"))).isEqualTo(dump);
		assertThat(Files.readAllBytes(extracted.resolve("backup.json"))).isEqualTo(manifest);
	}

	@Test
	void anEmptyInputIsAValidEmptyGzip() throws Exception {
		byte[] gzip = compress(new byte[0], 2, BLOCK);
		Path file = this.dir.resolve("empty.gz");
		Files.write(file, gzip);

		assertThat(new GZIPInputStream(new ByteArrayInputStream(gzip)).readAllBytes()).isEmpty();
		assertThat(GzipToolsTests.run(this.dir, "gzip", "-t", file.toString())).isZero();
	}

	@Test
	void singleByteWritesAndOneThreadGiveTheSameData() throws IOException {
		byte[] data = compressibleBytes(3 * 1000 + 7);
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		try (OutputStream gzip = new ParallelGzipOutputStream(sink, 9, 1, 1000)) {
			for (byte b : data) {
				gzip.write(b);
			}
		}

		assertThat(new GZIPInputStream(new ByteArrayInputStream(sink.toByteArray())).readAllBytes()).isEqualTo(data);
	}

	@Test
	void theWriterWaitsOnceTwiceAsManyBlocksAsThreadsAreInFlight() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		ParallelGzipOutputStream.BlockCompressor real = ParallelGzipOutputStream.gzipMember(1);
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(sink, 2, 1000, (block, length) -> {
			release.await();
			return real.compress(block, length);
		});
		byte[] data = compressibleBytes(10 * 1000);
		AtomicInteger blocksAccepted = new AtomicInteger();
		Thread writer = new Thread(() -> {
			try (gzip) {
				for (int i = 0; i < 10; i++) {
					gzip.write(data, i * 1000, 1000);
					blocksAccepted.incrementAndGet();
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		writer.start();

		await().atMost(Duration.ofSeconds(10)).until(() -> writer.getState() == Thread.State.WAITING);
		assertThat(blocksAccepted).hasValue(4);
		assertThat(sink.size()).isZero();
		release.countDown();
		writer.join(TimeUnit.SECONDS.toMillis(10));

		assertThat(blocksAccepted).hasValue(10);
		assertThat(new GZIPInputStream(new ByteArrayInputStream(sink.toByteArray())).readAllBytes()).isEqualTo(data);
	}

	@Test
	void aWorkerFailureReachesTheWriterAndTheThreadsStop() throws IOException {
		ParallelGzipOutputStream.BlockCompressor real = ParallelGzipOutputStream.gzipMember(1);
		AtomicInteger calls = new AtomicInteger();
		int[] sinkCloses = new int[1];
		OutputStream sink = new FilterOutputStream(new ByteArrayOutputStream()) {
			@Override
			public void close() {
				sinkCloses[0]++;
			}
		};
		ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(sink, 2, 1000, (block, length) -> {
			if (calls.incrementAndGet() == 3) {
				throw new IllegalStateException("deflater exploded");
			}
			return real.compress(block, length);
		});

		assertThatIOException().isThrownBy(() -> {
			try (gzip) {
				gzip.write(compressibleBytes(50 * 1000));
			}
		}).withMessageContaining("deflater exploded");
		assertThatIOException().isThrownBy(() -> gzip.write(1));
		assertThat(sinkCloses[0]).isEqualTo(1);
		await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces()
			.keySet()
			.stream()
			.noneMatch((thread) -> thread.getName().startsWith("coffer-gzip-") && thread.isAlive()));
	}

	@Test
	void rejectsAnInvalidLevel() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ParallelGzipOutputStream(new ByteArrayOutputStream(), 10, 2))
			.withMessageContaining("gzip level");
	}

	private static byte[] compress(byte[] data, int threads, int blockSize) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		try (OutputStream gzip = new ParallelGzipOutputStream(sink, 6, threads, blockSize)) {
			gzip.write(data);
		}
		return sink.toByteArray();
	}

	/** Text-like bytes with some randomness, so that compression does real work. */
	private static byte[] compressibleBytes(int length) {
		Random random = new Random(length);
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) ((random.nextInt(8) == 0) ? random.nextInt(256) : 'a' + (i % 26));
		}
		return bytes;
	}

}
