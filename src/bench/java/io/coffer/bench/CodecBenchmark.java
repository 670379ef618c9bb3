package io.coffer.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.coffer.pipeline.DeflateLibraries;
import io.coffer.pipeline.DeflateLibrary;
import io.coffer.pipeline.GzipMembersInputStream;
import io.coffer.pipeline.ParallelGzipOutputStream;
import io.coffer.testsupport.RedisServerProcess;

/**
 * The codec benchmark behind {@code scripts/bench codecs}: one mixed dump made by a real
 * {@code redis-server} ({@link BenchDataset}), compressed at each gzip level by each deflate library
 * through Coffer's own writer ({@link ParallelGzipOutputStream}, 1 MiB members, incompressible
 * blocks stored) on one thread and on every core, then read back through Coffer's reader; next to
 * {@code gzip -1}, {@code pigz -1 -p<cores>} and {@code igzip -1} run as processes on the same file.
 * Prints a Markdown table. Not a test: it has a {@code main} and no test suffix.
 */
public final class CodecBenchmark {

	private static final double MB = 1_000_000.0;

	private static final int BLOCK = ParallelGzipOutputStream.DEFAULT_BLOCK_SIZE;

	private final Settings settings;

	private final Path work;

	private final List<String> rows = new ArrayList<>();

	private RedisServerProcess redis;

	private CodecBenchmark(Settings settings) throws IOException {
		this.settings = settings;
		this.work = Files.createTempDirectory("coffer-codecs-");
	}

	public static void main(String[] args) throws Exception {
		CodecBenchmark bench = new CodecBenchmark(Settings.parse(args));
		BackupBenchmark.exitAfter(bench::run, bench::cleanUp);
	}

	private void run() throws Exception {
		this.redis = RedisServerProcess.options().start();
		BenchDataset dataset = new BenchDataset(this.redis);
		dataset.fillTo(this.settings.sizeMb * 1_000_000L);
		dataset.bgsaveAndWait();
		Path dumpFile = this.work.resolve("dump.rdb");
		Files.copy(this.redis.dir().resolve("dump.rdb"), dumpFile);
		this.redis.stop();
		byte[] dump = Files.readAllBytes(dumpFile);
		int cores = Runtime.getRuntime().availableProcessors();
		log(String.format(Locale.ROOT, "dump of %.0f MB, %d cores, load average %s", dump.length / MB, cores,
				BackupBenchmark.loadAverage()));

		for (String id : List.of("isal", "libdeflate", "zlib")) {
			DeflateLibrary library = DeflateLibraries.use(id);
			if (!library.id().equals(id)) {
				this.rows.add("| " + id + " | not installed | | | | | | | |");
				continue;
			}
			// the JIT compiles the writer and the reader before anything is timed
			byte[] warmUp = Arrays.copyOf(dump, Math.min(dump.length, 32 * BLOCK));
			measureCoffer(library, 1, 1, warmUp, false);
			for (int level : this.settings.levels) {
				for (int threads : (cores > 1) ? new int[] { 1, cores } : new int[] { 1 }) {
					measureCoffer(library, level, threads, dump, true);
				}
			}
		}
		measureProcess("zlib (`gzip -1`)", dumpFile, List.of("gzip", "-1", "-c"), List.of("gzip", "-dc"), dump.length);
		measureProcess("zlib (`pigz -1 -p" + cores + "`)", dumpFile, List.of("pigz", "-1", "-p", "" + cores, "-c"),
				List.of("pigz", "-dc"), dump.length);
		if (Files.isExecutable(Path.of("/usr/bin/igzip"))) {
			measureProcess("ISA-L (`igzip -1`)", dumpFile, List.of("igzip", "-1", "-c"), List.of("igzip", "-dc"),
					dump.length);
		}
		else {
			this.rows.add("| ISA-L (`igzip -1`) | not installed (Debian package isal) | | | | | | | |");
		}
		printReport(dump.length, cores);
	}

	private void measureCoffer(DeflateLibrary library, int level, int threads, byte[] dump, boolean report)
			throws IOException {
		ByteArrayOutputStream compressed = new ByteArrayOutputStream(dump.length + dump.length / 10);
		Timing compressing = Timing.start();
		try (OutputStream gzip = new ParallelGzipOutputStream(compressed, library, level, threads, BLOCK)) {
			gzip.write(dump);
		}
		compressing.stop();
		byte[] archive = compressed.toByteArray();
		Timing decompressing = Timing.start();
		long read;
		try (InputStream in = new GzipMembersInputStream(new ByteArrayInputStream(archive), library)) {
			read = in.transferTo(OutputStream.nullOutputStream());
		}
		decompressing.stop();
		if (read != dump.length) {
			throw new IOException("read back " + read + " bytes of " + dump.length);
		}
		String row = String.format(Locale.ROOT, "| %s | %d | %d | %d | %.3f | %s | %s |", library.description(),
				level, library.nativeLevel(level), threads, (double) archive.length / dump.length,
				compressing.speeds(dump.length), decompressing.speeds(dump.length));
		if (report) {
			log(row);
			this.rows.add(row);
		}
	}

	private void measureProcess(String name, Path dumpFile, List<String> compress, List<String> decompress,
			long plainLength) throws Exception {
		Path archive = this.work.resolve("dump.rdb.gz");
		Files.deleteIfExists(archive);
		Timing compressing = timed(append(compress, dumpFile.toString()), archive);
		Timing decompressing = timed(append(decompress, archive.toString()), null);
		String row = String.format(Locale.ROOT, "| %s | 1 | | | %.3f | %s | %s |", name,
				(double) Files.size(archive) / plainLength, compressing.speeds(plainLength),
				decompressing.speeds(plainLength));
		log(row);
		this.rows.add(row);
	}

	/** Runs a command to its end, its output into {@code output} (or discarded), and returns how long it took. */
	private Timing timed(List<String> command, Path output) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
		builder.redirectOutput((output != null) ? ProcessBuilder.Redirect.to(output.toFile())
				: ProcessBuilder.Redirect.DISCARD);
		Timing timing = Timing.start();
		Process process = builder.start();
		if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IOException(String.join(" ", command) + " failed");
		}
		timing.stop();
		return timing;
	}

	/**
	 * Wall time and CPU time of this process and the children it waited for. On a machine others
	 * share, wall time says what a backup would take now; MB per CPU-second is what the code costs.
	 */
	private static final class Timing {

		private final long startNanos;

		private final long startTicks;

		private long wallNanos;

		private long cpuTicks;

		private Timing(long startNanos, long startTicks) {
			this.startNanos = startNanos;
			this.startTicks = startTicks;
		}

		static Timing start() throws IOException {
			return new Timing(System.nanoTime(), BackupBenchmark.processTreeCpuTicks("self"));
		}

		void stop() throws IOException {
			this.wallNanos = System.nanoTime() - this.startNanos;
			this.cpuTicks = BackupBenchmark.processTreeCpuTicks("self") - this.startTicks;
		}

		/** "MB/s | MB per CPU-s" of {@code plainLength} bytes. */
		String speeds(long plainLength) {
			return String.format(Locale.ROOT, "%.0f | %.0f", plainLength / MB / BenchFiles.seconds(this.wallNanos),
					plainLength / MB / Math.max(this.cpuTicks / 100.0, 0.01));
		}

	}

	private void printReport(long dumpLength, int cores) throws IOException {
		StringBuilder report = new StringBuilder();
		report.append(String.format(Locale.ROOT,
				"Dump: %.0f MB of RDB from redis-server (BenchDataset's mix), %d cores, load average at the end %s.%n%n",
				dumpLength / MB, cores, BackupBenchmark.loadAverage()));
		report.append("| library | gzip level | its level | threads | ratio | compress MB/s | compress MB/CPU-s"
				+ " | decompress MB/s | decompress MB/CPU-s |\n");
		report.append("|---|---|---|---|---|---|---|---|---|\n");
		this.rows.forEach((row) -> report.append(row).append('\n'));
		report.append("\nMB are of plain (RDB) bytes; ratio is compressed / plain; MB/s by the wall clock, MB/CPU-s by the"
				+ " CPU time of the JVM (or of the command). Decompression is one thread.\n");
		System.out.println();
		System.out.print(report);
		if (this.settings.output != null) {
			Files.writeString(this.settings.output, report, StandardCharsets.UTF_8);
		}
	}

	private static List<String> append(List<String> command, String argument) {
		List<String> all = new ArrayList<>(command);
		all.add(argument);
		return all;
	}

	private static void log(String message) {
		System.err.println("[codecs] " + message);
	}

	private void cleanUp() {
		if (this.redis != null) {
			this.redis.stop();
		}
		BenchFiles.deleteTree(this.work, CodecBenchmark::log);
	}

	private static final class Settings {

		int sizeMb = 200;

		List<Integer> levels = IntStream.rangeClosed(1, 9).boxed().toList();

		Path output;

		static Settings parse(String[] args) {
			Settings settings = new Settings();
			for (int i = 0; i < args.length; i++) {
				switch (args[i]) {
					case "--size" -> settings.sizeMb = Integer.parseInt(args[++i]);
					case "--levels" -> settings.levels = Arrays.stream(args[++i].split(","))
						.map(String::trim)
						.map(Integer::parseInt)
						.toList();
					case "--output" -> settings.output = Path.of(args[++i]);
					// given to every driver by scripts/bench; this one runs no Coffer process
					case "--jar", "--coffer-java-opts" -> i++;
					default -> throw new IllegalArgumentException(
							"unknown option " + args[i] + "; options: --size 200 --levels 1,6 --output FILE");
				}
			}
			return settings;
		}

	}

}
