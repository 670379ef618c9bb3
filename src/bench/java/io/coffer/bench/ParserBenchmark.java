package io.coffer.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.coffer.pipeline.rdb.Crc64;
import io.coffer.pipeline.rdb.RdbCheckingInputStream;
import io.coffer.pipeline.rdb.RdbParser;
import io.coffer.pipeline.rdb.RdbSummary;
import io.coffer.testsupport.RdbCorpus;
import io.coffer.testsupport.RedisServerProcess;

/**
 * {@code scripts/bench parser}: the throughput of the RDB parser alone, on one core, over a mixed dump
 * made by a real {@code redis-server} (the benchmarks' dataset plus one of every encoding), next to the
 * CRC-64 alone over the same bytes (the check that ran before the parser), and the checking stream as
 * a backup drives it (the reader's thread plus the parser's). Best of five runs each, from memory.
 */
public final class ParserBenchmark {

	private static final double MB = 1_000_000.0;

	private static final int RUNS = 5;

	private ParserBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int sizeMb = 200;
		Path output = null;
		Path existing = null;
		Path keep = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--size" -> sizeMb = Integer.parseInt(args[++i]);
				case "--output" -> output = Path.of(args[++i]);
				case "--dump" -> existing = Path.of(args[++i]);
				case "--keep-dump" -> keep = Path.of(args[++i]);
				// given to every driver by scripts/bench; the parser runs in this JVM
				case "--jar", "--coffer-java-opts" -> i++;
				default -> throw new IllegalArgumentException("unknown option " + args[i]
						+ "; options: --size 200 --dump FILE (measure that dump instead of making one) --keep-dump FILE --output FILE");
			}
		}
		byte[] dump = (existing != null) ? Files.readAllBytes(existing) : makeDump(sizeMb);
		if (keep != null) {
			Files.write(keep, dump);
		}
		System.err.printf(Locale.ROOT, "dump of %.0f MB ready; measuring%n", dump.length / MB);
		RdbSummary summary = RdbParser.parse(new ByteArrayInputStream(dump), dump.length, 99);
		double crc = best(() -> Crc64.of(dump));
		double parser = best(() -> RdbParser.parse(new ByteArrayInputStream(dump), dump.length, 99));
		double stream = best(() -> {
			try (RdbCheckingInputStream checking = new RdbCheckingInputStream(new ByteArrayInputStream(dump), 99,
					dump.length)) {
				checking.transferTo(OutputStream.nullOutputStream());
			}
		});
		String report = String.format(Locale.ROOT, """
				| RDB MB | keys | CRC-64 alone MB/s | parser (with CRC-64), one core MB/s | checking stream (reader + parser threads) MB/s |
				|---:|---:|---:|---:|---:|
				| %.0f | %d | %.0f | %.0f | %.0f |
				""", dump.length / MB, summary.totalKeys(), dump.length / MB / crc, dump.length / MB / parser,
				dump.length / MB / stream);
		System.out.print(report);
		if (output != null) {
			Files.writeString(output, report);
		}
	}

	/** A mixed dump of about {@code sizeMb} MB from a real redis-server. */
	private static byte[] makeDump(int sizeMb) throws Exception {
		Path folder = Files.createTempDirectory("coffer-bench-parser-");
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			RdbCorpus.write(redis, 1);
			new BenchDataset(redis).fillTo((long) (sizeMb * MB));
			return RdbCorpus.dump(redis, folder);
		}
		finally {
			try (var files = Files.walk(folder)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

	/** The best of {@link #RUNS} runs, in seconds, after one to warm up. */
	private static double best(Run run) throws IOException {
		run.run();
		double best = Double.MAX_VALUE;
		for (int i = 0; i < RUNS; i++) {
			long started = System.nanoTime();
			run.run();
			best = Math.min(best, (System.nanoTime() - started) / 1e9);
		}
		return best;
	}

	private interface Run {

		void run() throws IOException;

	}

}
