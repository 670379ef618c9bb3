// Longer than 400 lines because one driver runs every side of the comparison for each size, and the report.
package io.coffer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.storage.EmbeddedS3Server;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;

/**
 * {@code scripts/bench download}: for each archive size, the same archive fetched (A) by
 * {@code coffer backups-download}, through Coffer's decrypting endpoint, (R) by a plain HTTP GET of that
 * endpoint from this JVM (no client JVM to start, {@code HttpURLConnection}), and (B) as a plain GET of an object of the same size with
 * the MinIO client, from the same S3 server; then 16 of R and 16 of B at once, each digested, with Coffer's
 * RSS watched, and the CPU time of Coffer's threads by stage for the single R. Not a test: the suite never
 * runs it.
 */
public final class DownloadBenchmark {

	private static final double MB = 1024.0 * 1024.0;

	private static final String BUCKET = "coffer-bench";

	private static final String REDIS_PASSWORD = "bench-download";

	private DownloadBenchmark() {
	}

	/** One size's figures. */
	private static final class Row {

		double archiveMb;

		double aSeconds;

		double rSeconds;

		double bSeconds;

		int parallel;

		int rCorrect;

		double rParallelSeconds;

		double bParallelSeconds;

		double rssBeforeMb;

		double rssPeakMb;

		String stages;

		String library;

	}

	public static void main(String[] args) throws Exception {
		Path jar = Path.of("target/coffer.jar");
		List<String> javaOptions = List.of();
		List<Integer> sizes = List.of(200, 1000);
		int parallel = 16;
		Path output = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--jar" -> jar = Path.of(args[++i]);
				case "--coffer-java-opts" -> javaOptions = List.of(args[++i].trim().split("\\s+"));
				case "--sizes", "--size" -> sizes = java.util.Arrays.stream(args[++i].split(",")).map(String::trim).map(Integer::valueOf).toList();
				case "--parallel" -> parallel = Integer.parseInt(args[++i]);
				case "--output" -> output = Path.of(args[++i]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]
						+ "; options: --sizes 200,1000 (MB of archive) --parallel 16 --coffer-java-opts '…' --output FILE");
			}
		}
		List<Row> rows = new ArrayList<>();
		for (int size : sizes) {
			rows.add(runSize(jar, javaOptions, size, parallel));
		}
		String report = report(rows);
		System.out.println(report);
		if (output != null) {
			Files.writeString(output, report);
		}
	}

	private static Row runSize(Path jar, List<String> javaOptions, int sizeMb, int parallel) throws Exception {
		Path work = Files.createTempDirectory("coffer-bench-download");
		int redisPort = CofferProcess.freePort();
		Process redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
				"--requirepass", REDIS_PASSWORD, "--save", "", "--appendonly", "no", "--dir", work.toString())
			.redirectErrorStream(true)
			.redirectOutput(work.resolve("redis.log").toFile())
			.start();
		try (EmbeddedS3Server s3 = new EmbeddedS3Server(work.resolve("objects"), 0, "bench", "bench-secret").start()) {
			fill(redisPort, sizeMb);
			try (CofferProcess coffer = CofferProcess.start(jar, javaOptions, work.resolve("coffer"), s3, BUCKET,
					Map.of())) {
				return run(coffer, s3, work, redisPort, parallel);
			}
		}
		finally {
			redis.destroy();
			redis.waitFor(30, TimeUnit.SECONDS);
			BenchFiles.deleteTree(work, DownloadBenchmark::log);
		}
	}

	private static Row run(CofferProcess coffer, EmbeddedS3Server s3, Path work, int redisPort, int parallel)
			throws Exception {
		String database = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases",
				"{\"app\":\"bench\",\"register\":{\"nodes\":[{\"host\":\"127.0.0.1\",\"port\":" + redisPort
						+ "}],\"password\":\"" + REDIS_PASSWORD + "\"}}", 201), "id");
		String backup = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases/" + database + "/backups", "", 202), "id");
		String view;
		do {
			Thread.sleep(200);
			view = coffer.call("GET", "/api/v1/databases/" + database + "/backups/" + backup, null, 200);
		}
		while (!BackupBenchmark.field(view, "status").matches("done|error"));
		if (!"done".equals(BackupBenchmark.field(view, "status"))) {
			throw new IllegalStateException("the backup failed: " + view);
		}
		Row row = new Row();
		row.parallel = parallel;
		row.library = deflateLibrary(coffer.logFile());
		long size = Long.parseLong(BackupBenchmark.field(view, "size"));
		row.archiveMb = size / MB;
		String archivePath = coffer.base() + "/api/v1/databases/" + database + "/backups/" + backup + "/archive";
		HttpClient http = HttpClient.newHttpClient();
		String etag = http.send(request(archivePath).header("Range", "bytes=0-0").build(),
				HttpResponse.BodyHandlers.discarding()).headers().firstValue("ETag").orElseThrow().replace("\"", "");
		log(String.format(Locale.ROOT, "archive of %.0f MB ready (backup %s, %s)", row.archiveMb, backup, row.library));

		// A: the command-line client, as a user runs it
		Path downloaded = work.resolve("a.tar.gz");
		ProcessBuilder cli = new ProcessBuilder("bash", "scripts/coffer", "--app", "bench", "backups-download",
				"--output", downloaded.toString()).redirectErrorStream(true).redirectOutput(work.resolve("cli.log").toFile());
		cli.environment().put("COFFER_URL", coffer.base());
		cli.environment().put("COFFER_TOKEN", CofferProcess.ADMIN_TOKEN);
		cli.start().waitFor(); // builds nothing: unpacks the client once, and warms Coffer's read path
		Files.deleteIfExists(downloaded);
		long started = System.nanoTime();
		int exit = cli.start().waitFor();
		row.aSeconds = (System.nanoTime() - started) / 1e9;
		if (exit != 0 || !sha256(downloaded).equals(etag)) {
			throw new IllegalStateException("coffer backups-download failed or differs: " + Files.readString(work.resolve("cli.log")));
		}
		Files.delete(downloaded);
		log(String.format(Locale.ROOT, "A: coffer backups-download %.1f s, %.0f MB/s", row.aSeconds, row.archiveMb / row.aSeconds));

		// R: the same endpoint from this JVM, written to a file as B is, with Coffer's threads' CPU time by stage
		Path raw = work.resolve("r.tar.gz");
		Map<String, Long> cpuBefore = threadCpuTicks(coffer.pid());
		started = System.nanoTime();
		try (InputStream in = get(archivePath); OutputStream out = Files.newOutputStream(raw)) {
			in.transferTo(out);
		}
		row.rSeconds = (System.nanoTime() - started) / 1e9;
		row.stages = stages(cpuBefore, threadCpuTicks(coffer.pid()), row.rSeconds);
		if (Files.size(raw) != size) {
			throw new IllegalStateException("the raw GET gave " + Files.size(raw) + " bytes");
		}
		Files.delete(raw);
		log(String.format(Locale.ROOT, "R: GET of Coffer's endpoint %.1f s, %.0f MB/s; Coffer's CPU: %s", row.rSeconds,
				row.archiveMb / row.rSeconds, row.stages));

		// B: a plain GET of an object of the same size from the same S3 server
		Path plain = work.resolve("plain.bin");
		writeRandom(plain, size);
		MinioClient minio = MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), s3.secretKey()).build();
		try {
			minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
		}
		catch (Exception ex) {
			// Coffer made it already
		}
		minio.uploadObject(UploadObjectArgs.builder().bucket(BUCKET).object("bench/plain.bin").filename(plain.toString()).build());
		String plainSha256 = sha256(plain);
		Files.delete(plain);
		Path fetched = work.resolve("b.bin");
		started = System.nanoTime();
		try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket(BUCKET).object("bench/plain.bin").build());
				OutputStream out = Files.newOutputStream(fetched)) {
			in.transferTo(out);
		}
		row.bSeconds = (System.nanoTime() - started) / 1e9;
		Files.delete(fetched);
		log(String.format(Locale.ROOT, "B: MinIO GET %.1f s, %.0f MB/s", row.bSeconds, row.archiveMb / row.bSeconds));

		// 16 at once of each, every one digested and compared, Coffer's memory watched during R's
		row.rssBeforeMb = coffer.procStatusKb("VmRSS") / 1024.0;
		AtomicBoolean sampling = new AtomicBoolean(true);
		AtomicLong maxRss = new AtomicLong();
		Thread sampler = new Thread(() -> {
			while (sampling.get()) {
				maxRss.accumulateAndGet(coffer.procStatusKb("VmRSS"), Math::max);
				try {
					Thread.sleep(200);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		});
		sampler.start();
		long[] correct = new long[1];
		row.rParallelSeconds = atOnce(parallel, () -> digest(get(archivePath)), etag, correct);
		row.rCorrect = (int) correct[0];
		sampling.set(false);
		sampler.join();
		row.rssPeakMb = maxRss.get() / 1024.0;
		log(String.format(Locale.ROOT, "%d R at once: %d correct in %.1f s; Coffer's RSS peaked at %.0f MB", parallel,
				row.rCorrect, row.rParallelSeconds, row.rssPeakMb));
		row.bParallelSeconds = atOnce(parallel, () -> digest(minio.getObject(
				GetObjectArgs.builder().bucket(BUCKET).object("bench/plain.bin").build())), plainSha256, correct);
		if (correct[0] != parallel) {
			throw new IllegalStateException("only " + correct[0] + " of the MinIO GETs were complete");
		}
		log(String.format(Locale.ROOT, "%d B at once: %.1f s", parallel, row.bParallelSeconds));
		return row;
	}

	/** Runs {@code download} {@code parallel} times at once; returns the seconds until the last ended. */
	private static double atOnce(int parallel, Callable<String> download, String expectedSha256, long[] correct)
			throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(parallel);
		try {
			long started = System.nanoTime();
			List<Future<String>> digests = new ArrayList<>();
			for (int i = 0; i < parallel; i++) {
				digests.add(pool.submit(download));
			}
			correct[0] = 0;
			for (Future<String> digest : digests) {
				correct[0] += digest.get().equals(expectedSha256) ? 1 : 0;
			}
			return (System.nanoTime() - started) / 1e9;
		}
		finally {
			pool.shutdown();
		}
	}

	/**
	 * CPU time (clock ticks) of each of the process' threads, by name with its number removed, from
	 * {@code /proc/<pid>/task/<tid>/stat}: {@code decrypt-} the decryption pool, {@code decrypt-read-ahead}
	 * the storage read-ahead, {@code sha256-} the archive's digest, {@code http-nio-…-exec} Tomcat's threads.
	 */
	private static Map<String, Long> threadCpuTicks(long pid) throws IOException {
		Map<String, Long> ticks = new TreeMap<>();
		try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
			for (Path task : (Iterable<Path>) tasks::iterator) {
				String stat;
				try {
					stat = Files.readString(task.resolve("stat"));
				}
				catch (IOException ex) {
					continue; // the thread ended
				}
				int open = stat.indexOf('(');
				int close = stat.lastIndexOf(')');
				String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
				String[] fields = stat.substring(close + 2).split(" ");
				long cpu = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
				ticks.merge(task.getFileName() + " " + name, cpu, Long::sum);
			}
		}
		return ticks;
	}

	/** The CPU seconds each kind of thread spent between two samples, largest first, over the wall time. */
	private static String stages(Map<String, Long> before, Map<String, Long> after, double wallSeconds) {
		Map<String, Long> byName = new TreeMap<>();
		after.forEach((thread, ticks) -> {
			long spent = ticks - before.getOrDefault(thread, 0L);
			if (spent > 0) {
				byName.merge(thread.substring(thread.indexOf(' ') + 1), spent, Long::sum);
			}
		});
		long total = byName.values().stream().mapToLong(Long::longValue).sum();
		StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%.2f CPU-s in %.2f s:", total / 100.0, wallSeconds));
		byName.entrySet()
			.stream()
			.sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
			.limit(6)
			.forEach((entry) -> out.append(String.format(Locale.ROOT, " %s %.2f,", entry.getKey(), entry.getValue() / 100.0)));
		return out.substring(0, out.length() - 1);
	}

	private static String report(List<Row> rows) {
		StringBuilder out = new StringBuilder();
		out.append("| archive MB | library of the backup | A: coffer backups-download s (MB/s) | R: GET of Coffer's endpoint s (MB/s) | B: MinIO GET s (MB/s) | A/B | R/B |\n");
		out.append("|---:|---|---:|---:|---:|---:|---:|\n");
		for (Row row : rows) {
			out.append(String.format(Locale.ROOT, "| %.0f | %s | %.1f (%.0f) | %.1f (%.0f) | %.1f (%.0f) | %.2f | %.2f |%n",
					row.archiveMb, row.library, row.aSeconds, row.archiveMb / row.aSeconds, row.rSeconds,
					row.archiveMb / row.rSeconds, row.bSeconds, row.archiveMb / row.bSeconds, row.bSeconds / row.aSeconds,
					row.bSeconds / row.rSeconds));
		}
		out.append("\n| archive MB | at once | R: all done s (MB/s in all), correct | B: all done s (MB/s in all) | R/B | Coffer RSS before → peak MB |\n");
		out.append("|---:|---:|---:|---:|---:|---:|\n");
		for (Row row : rows) {
			double total = row.parallel * row.archiveMb;
			out.append(String.format(Locale.ROOT, "| %.0f | %d | %.1f (%.0f), %d of %d | %.1f (%.0f) | %.2f | %.0f → %.0f |%n",
					row.archiveMb, row.parallel, row.rParallelSeconds, total / row.rParallelSeconds, row.rCorrect,
					row.parallel, row.bParallelSeconds, total / row.bParallelSeconds,
					row.bParallelSeconds / row.rParallelSeconds, row.rssBeforeMb, row.rssPeakMb));
		}
		out.append("\nCoffer's CPU during the single R, by thread:\n\n");
		for (Row row : rows) {
			out.append(String.format(Locale.ROOT, "- %.0f MB: %s%n", row.archiveMb, row.stages));
		}
		return out.toString();
	}

	/** The deflate library Coffer logged at start-up ("gzip: ISA-L 2.30 (libisal.so.2)"). */
	private static String deflateLibrary(Path logFile) throws IOException {
		Matcher matcher = Pattern.compile("gzip: ((?:ISA-L|libdeflate|zlib)[^ (]*)").matcher(Files.readString(logFile));
		return matcher.find() ? matcher.group(1).trim() : "?";
	}

	/** Incompressible values until the dataset holds about {@code sizeMb}: the archive is then that size. */
	private static void fill(int port, int sizeMb) throws Exception {
		Random random = new Random(7);
		BenchFiles.fillRedis(port, REDIS_PASSWORD, (pipeline) -> {
			for (int i = 0; i < sizeMb; i++) {
				byte[] value = new byte[1024 * 1024];
				random.nextBytes(value);
				pipeline.set(("random:" + i).getBytes(), value);
				if (i % 32 == 31) {
					pipeline.sync();
				}
			}
		});
	}

	/**
	 * The body of a GET with {@code HttpURLConnection}: R measures Coffer, and {@code java.net.http}'s
	 * streaming body is the slower client on this machine (about 50 against 170 MB/s from a static server).
	 */
	private static InputStream get(String url) throws IOException {
		HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
		connection.setRequestProperty("Authorization", "Bearer " + CofferProcess.ADMIN_TOKEN);
		connection.setReadTimeout((int) TimeUnit.MINUTES.toMillis(10));
		if (connection.getResponseCode() != 200) {
			throw new IOException("GET " + url + " answered " + connection.getResponseCode());
		}
		return connection.getInputStream();
	}

	private static HttpRequest.Builder request(String url) {
		return HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofMinutes(10))
			.header("Authorization", "Bearer " + CofferProcess.ADMIN_TOKEN);
	}

	private static void writeRandom(Path file, long size) throws IOException {
		Random random = new Random(11);
		byte[] chunk = new byte[1024 * 1024];
		try (OutputStream out = Files.newOutputStream(file)) {
			for (long written = 0; written < size; written += chunk.length) {
				random.nextBytes(chunk);
				out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
			}
		}
	}

	private static String digest(InputStream body) throws Exception {
		try (DigestInputStream in = new DigestInputStream(body, MessageDigest.getInstance("SHA-256"))) {
			in.transferTo(OutputStream.nullOutputStream());
			return HexFormat.of().formatHex(in.getMessageDigest().digest());
		}
	}

	private static String sha256(Path file) throws Exception {
		return digest(Files.newInputStream(file));
	}

	private static void log(String message) {
		System.err.println("-----> " + message);
	}

}
