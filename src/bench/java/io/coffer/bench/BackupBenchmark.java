package io.coffer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.coffer.storage.EmbeddedS3Server;
import io.coffer.testsupport.RedisServerProcess;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.UploadObjectArgs;
import redis.clients.jedis.Jedis;

/**
 * The backup benchmark behind {@code scripts/bench backup}: on one Redis and one S3 server, for each
 * dataset size, times
 * <ul>
 * <li>the floor: {@code redis-cli --rdb} alone (getting the bytes);</li>
 * <li>A: Coffer's backup job end to end, from the API call to {@code done}, in a fresh Coffer JVM per
 * run, sampling its RSS and heap;</li>
 * <li>B: the naive way: {@code BGSAVE}, {@code tar czf}, {@code openssl enc -aes-256-cbc -pbkdf2},
 * upload of the file.</li>
 * </ul>
 * and prints the results as Markdown. Not a test: it has a {@code main} and no test suffix, so the
 * test suite never runs it.
 */
public final class BackupBenchmark {

	private static final double MB = 1_000_000.0;

	private static final String REDIS_PASSWORD = "bench-" + UUID.randomUUID().toString().substring(0, 8);

	private static final String BUCKET = "coffer-bench";

	private static final String PG_SERVER = "jdbc:postgresql://127.0.0.1:5432/";

	/** RSS is read from /proc, which costs Coffer nothing. */
	private static final Duration SAMPLE_RSS_EVERY = Duration.ofMillis(200);

	/**
	 * The heap is read from /actuator/prometheus, a scrape that costs Coffer CPU (tens of ms in a
	 * fresh JVM): once a second, not to slow down the backup being measured.
	 */
	private static final Duration SAMPLE_HEAP_EVERY = Duration.ofSeconds(1);

	private final Settings settings;

	private final Path work;

	private RedisServerProcess redis;

	private EmbeddedS3Server s3;

	private MinioClient minio;

	private BenchDataset dataset;

	private final List<Row> rows = new ArrayList<>();

	private final List<String> notes = new ArrayList<>();

	private BackupBenchmark(Settings settings) throws IOException {
		this.settings = settings;
		this.work = Files.createTempDirectory("coffer-bench-");
	}

	public static void main(String[] args) throws Exception {
		Settings settings = Settings.parse(args);
		BackupBenchmark bench = new BackupBenchmark(settings);
		exitAfter(bench::run, bench::cleanUp);
	}

	/** A benchmark's run, which may fail with anything. */
	interface Run {

		void run() throws Exception;

	}

	/** Runs the benchmark, cleans up whatever happened, and exits with 1 when it failed. */
	static void exitAfter(Run run, Runnable cleanUp) {
		int status = 0;
		try {
			run.run();
		}
		catch (Exception ex) {
			System.err.println("Benchmark failed: " + ex);
			ex.printStackTrace();
			status = 1;
		}
		finally {
			cleanUp.run();
		}
		System.exit(status);
	}

	private void run() throws Exception {
		log("working folder " + this.work);
		this.redis = RedisServerProcess.options()
			.password(REDIS_PASSWORD)
			// without a delay, redis-cli --rdb (which asks for a diskless transfer) is not held back
			// 5 s waiting for more replicas: the floor is the real cost of getting the bytes
			.set("repl-diskless-sync-delay", "0")
			.start();
		this.dataset = new BenchDataset(this.redis);
		log("redis-server " + redisVersion() + " on port " + this.redis.port());
		this.s3 = new EmbeddedS3Server(this.work.resolve("s3"), 0, "bench-access", "bench-secret-" + UUID.randomUUID())
			.start();
		this.minio = MinioClient.builder().endpoint(this.s3.endpoint()).credentials(this.s3.accessKey(), this.s3.secretKey()).build();
		if (!this.minio.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())) {
			this.minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
		}
		log("S3 server (S3Proxy, in this process) at " + this.s3.endpoint());

		for (int sizeMb : this.settings.sizesMb) {
			long rdbBytes = this.dataset.fillTo(sizeMb * 1_000_000L);
			Row base = new Row();
			base.targetMb = sizeMb;
			base.rdbBytes = rdbBytes;
			base.keys = dbSize();
			measureFloor(base);
			for (int i = 0; i < this.settings.levels.size(); i++) {
				Row row = (i == 0) ? base : base.copyForLevel();
				row.level = this.settings.levels.get(i);
				runCoffer(row);
				if (i == 0) {
					runNaive(row);
				}
				else {
					row.copyNaiveFrom(base);
				}
				this.rows.add(row);
				System.out.println(row.summary());
			}
			removeObjects();
		}
		printReport();
	}

	// ------------------------------------------------------------------ floor

	private void measureFloor(Row row) throws Exception {
		Path file = this.work.resolve("floor.rdb");
		List<String> command = List.of("redis-cli", "-h", this.redis.host(), "-p", String.valueOf(this.redis.port()), "-a",
				REDIS_PASSWORD, "--no-auth-warning", "--rdb", file.toString());
		String load = loadAverage();
		long[] cpuBefore = cpuOutsideCoffer();
		long started = System.nanoTime();
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(this.work.resolve("redis-cli.log").toFile())
			.start();
		if (process.waitFor() != 0) {
			throw new IllegalStateException("redis-cli --rdb failed: " + Files.readString(this.work.resolve("redis-cli.log")));
		}
		row.floorSeconds = BenchFiles.seconds(System.nanoTime() - started);
		row.floorCpu = cpuSeconds(cpuBefore, cpuOutsideCoffer());
		row.floorRdbBytes = Files.size(file);
		row.loadBefore = load;
		log(String.format(Locale.ROOT, "floor: redis-cli --rdb %.1f s for %.0f MB", row.floorSeconds, row.floorRdbBytes / MB));
		measureGzipOne(row, file);
		measureSpoolDigest(row, file);
		if (!this.settings.keep) {
			Files.delete(file);
		}
	}

	/**
	 * SHA-256 of the dump read back from its file: what a diskless backup would pay at the end of the
	 * stream to digest a local spool of the archive (docs/DESIGN.md, "Diskless backups").
	 */
	private void measureSpoolDigest(Row row, Path dump) throws Exception {
		java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
		byte[] buffer = new byte[1024 * 1024];
		// once on a part of it, so that the JIT compiles the digest as it would be in a running service
		try (java.io.InputStream in = Files.newInputStream(dump)) {
			for (int i = 0; i < 64 && in.read(buffer) > 0; i++) {
				sha256.update(buffer);
			}
		}
		sha256.reset();
		long started = System.nanoTime();
		try (java.io.InputStream in = Files.newInputStream(dump)) {
			int read;
			while ((read = in.read(buffer)) > 0) {
				sha256.update(buffer, 0, read);
			}
		}
		sha256.digest();
		row.spoolDigestSeconds = BenchFiles.seconds(System.nanoTime() - started);
		log(String.format(Locale.ROOT, "SHA-256 of the dump read back from its file: %.2f s", row.spoolDigestSeconds));
	}

	/**
	 * {@code gzip -1} of the floor's dump to /dev/null: the CPU-seconds the goal compares Coffer's
	 * with. A child's CPU is added to this process' cutime/cstime when it is waited for.
	 */
	private void measureGzipOne(Row row, Path dump) throws Exception {
		long before = processTreeCpuTicks("self");
		long started = System.nanoTime();
		Process process = new ProcessBuilder("gzip", "-1", "-c", dump.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(this.work.resolve("gzip.log").toFile())
			.start();
		if (process.waitFor() != 0) {
			throw new IllegalStateException("gzip -1 failed: " + Files.readString(this.work.resolve("gzip.log")));
		}
		row.gzipOneSeconds = BenchFiles.seconds(System.nanoTime() - started);
		row.gzipOneCpu = (processTreeCpuTicks("self") - before) / 100.0;
		log(String.format(Locale.ROOT, "gzip -1 of the same dump: %.1f s, %.1f CPU s", row.gzipOneSeconds, row.gzipOneCpu));
	}

	// ------------------------------------------------------------------ A: Coffer

	private void runCoffer(Row row) throws Exception {
		Path dataDir = this.work.resolve("coffer-" + row.targetMb + "-l" + row.level);
		try (CofferProcess coffer = CofferProcess.start(this.settings.jar, this.settings.cofferJavaOptions, dataDir,
				this.s3, BUCKET, Map.of("COFFER_BACKUP_COMPRESSION_LEVEL", String.valueOf(row.level)))) {
			String registered = coffer.call("POST", "/api/v1/databases",
					"{\"app\":\"bench\",\"register\":{\"nodes\":[{\"host\":\"127.0.0.1\",\"port\":" + this.redis.port()
							+ "}],\"password\":\"" + REDIS_PASSWORD + "\"}}",
					201);
			String databaseId = field(registered, "id");
			long pid = coffer.pid();
			row.rssBeforeMb = procStatus(pid, "VmRSS") / 1024.0;
			Sampler sampler = new Sampler(coffer);
			Thread sampling = new Thread(sampler, "bench-sampler");
			long cpuBefore = processCpuTicks(pid);
			long[] othersBefore = cpuOutsideCoffer();
			long[] machineBefore = machineTicks();
			row.loadBefore = loadAverage();
			sampling.start();
			long started = System.nanoTime();
			String created = coffer.call("POST", "/api/v1/databases/" + databaseId + "/backups", "", 202);
			String view = coffer.awaitDone("/api/v1/databases/" + databaseId + "/backups/" + field(created, "id"));
			row.cofferSeconds = BenchFiles.seconds(System.nanoTime() - started);
			sampler.stop.set(true);
			sampling.join();
			row.cofferCpuSeconds = (processCpuTicks(pid) - cpuBefore) / 100.0;
			row.cofferOthersCpu = cpuSeconds(othersBefore, cpuOutsideCoffer());
			long[] machineAfter = machineTicks();
			row.machineBusy = busyFraction(machineBefore, machineAfter);
			row.loadAfter = loadAverage();
			row.peakRssMb = procStatus(pid, "VmHWM") / 1024.0;
			row.sampledRssMb = sampler.maxRssKb / 1024.0;
			row.peakHeapUsedMb = sampler.maxHeapUsed / (1024.0 * 1024.0);
			row.peakHeapCommittedMb = sampler.maxHeapCommitted / (1024.0 * 1024.0);
			row.heapMaxMb = sampler.heapMax / (1024.0 * 1024.0);
			row.heapSamples = sampler.heapSamples;
			row.cofferArchiveBytes = Long.parseLong(field(view, "size"));
			row.stepTimes = stepTimes(coffer.logFile());
			readStages(row, coffer.logFile());
			row.library = deflateLibrary(coffer.logFile());
			log(String.format(Locale.ROOT, "A: Coffer (gzip level %d) %.1f s; peak RSS %.0f MB, peak heap used %.0f MB; %s",
					row.level, row.cofferSeconds, row.peakRssMb, row.peakHeapUsedMb, row.stepTimes));
		}
	}

	/** The deflate library Coffer logged at start-up ("gzip: ISA-L 2.30 (libisal.so.2)"). */
	private static String deflateLibrary(Path logFile) throws IOException {
		Matcher matcher = Pattern.compile("gzip: ((?:ISA-L|libdeflate|zlib).*)").matcher(Files.readString(logFile));
		return matcher.find() ? matcher.group(1).trim() : "?";
	}

	/**
	 * The snapshot step's stages as Coffer logs them (BackupSteps): opening the snapshot, of which the
	 * node's preparation (a length-prefixed stream: its BGSAVE to disk), then the pipeline to the store.
	 */
	private static void readStages(Row row, Path logFile) throws IOException {
		Matcher matcher = Pattern.compile("snapshot opened in ([0-9.]+) s \\(the node prepared it in (?:([0-9.]+) s|\\?)\\), then .* stored in ([0-9.]+) s")
			.matcher(Files.readString(logFile));
		if (matcher.find()) {
			row.openSeconds = Double.parseDouble(matcher.group(1));
			row.preparationSeconds = (matcher.group(2) == null) ? Double.NaN : Double.parseDouble(matcher.group(2));
			row.shipSeconds = Double.parseDouble(matcher.group(3));
		}
	}

	/** Spring Batch's own "Step: [x] executed in …" lines, which split the job into its steps. */
	private static String stepTimes(Path logFile) throws IOException {
		Pattern step = Pattern.compile("Step: \\[(\\w+)\\] executed in ([0-9a-z ]+)");
		List<String> found = new ArrayList<>();
		for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
			Matcher matcher = step.matcher(line);
			if (matcher.find()) {
				found.add(matcher.group(1) + " " + matcher.group(2).trim());
			}
		}
		return String.join(", ", found);
	}

	/** Samples the Coffer process' RSS and heap while the backup runs. */
	private final class Sampler implements Runnable {

		final AtomicBoolean stop = new AtomicBoolean();

		final CofferProcess coffer;

		long maxRssKb;

		long maxHeapUsed;

		long maxHeapCommitted;

		long heapMax;

		int heapSamples;

		Sampler(CofferProcess coffer) {
			this.coffer = coffer;
		}

		@Override
		public void run() {
			long nextHeapSample = 0;
			while (!this.stop.get()) {
				try {
					this.maxRssKb = Math.max(this.maxRssKb, this.coffer.procStatusKb("VmRSS"));
					if (System.nanoTime() < nextHeapSample) {
						Thread.sleep(SAMPLE_RSS_EVERY.toMillis());
						continue;
					}
					nextHeapSample = System.nanoTime() + SAMPLE_HEAP_EVERY.toNanos();
					String metrics = this.coffer.call("GET", "/actuator/prometheus", null, 200);
					long used = sumMetric(metrics, "jvm_memory_used_bytes");
					if (used > 0) {
						this.heapSamples++;
					}
					this.maxHeapUsed = Math.max(this.maxHeapUsed, used);
					this.maxHeapCommitted = Math.max(this.maxHeapCommitted, sumMetric(metrics, "jvm_memory_committed_bytes"));
					this.heapMax = Math.max(this.heapMax, sumMetric(metrics, "jvm_memory_max_bytes"));
					Thread.sleep(SAMPLE_RSS_EVERY.toMillis());
				}
				catch (InterruptedException ex) {
					return;
				}
				catch (Exception ex) {
					// a missed sample; the next one counts
				}
			}
		}

	}

	/** The sum over the heap pools of a {@code jvm_memory_*_bytes} gauge (negative values: undefined). */
	static long sumMetric(String metrics, String name) {
		long sum = 0;
		for (String line : metrics.split("\n")) {
			if (line.startsWith(name + "{") && line.contains("area=\"heap\"")) {
				double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
				if (value > 0) {
					sum += (long) value;
				}
			}
		}
		return sum;
	}

	/** A top-level string or number field of a flat JSON answer. */
	static String field(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9.]+|null)")
			.matcher(json);
		if (!matcher.find()) {
			throw new IllegalStateException("no \"" + name + "\" in " + json);
		}
		return (matcher.group(2) != null) ? matcher.group(2) : matcher.group(1);
	}

	static void stop(Process process) throws InterruptedException {
		process.destroy();
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			process.waitFor(10, TimeUnit.SECONDS);
		}
	}

	// ------------------------------------------------------------------ B: the naive way

	private void runNaive(Row row) throws Exception {
		Path dump = this.redis.dir().resolve("dump.rdb");
		Path archive = this.work.resolve("naive.tar.gz");
		Path encrypted = this.work.resolve("naive.tar.gz.enc");
		long[] cpuBefore = cpuOutsideCoffer();
		long started = System.nanoTime();
		bgsaveAndWait();
		long saved = System.nanoTime();
		exec(List.of("tar", "czf", archive.toString(), "-C", this.redis.dir().toString(), "dump.rdb"));
		long archived = System.nanoTime();
		exec(List.of("openssl", "enc", "-aes-256-cbc", "-pbkdf2", "-pass", "pass:" + REDIS_PASSWORD, "-in",
				archive.toString(), "-out", encrypted.toString()));
		long encryptedAt = System.nanoTime();
		String key = "naive/" + row.targetMb + ".tar.gz.enc";
		this.minio.uploadObject(UploadObjectArgs.builder().bucket(BUCKET).object(key).filename(encrypted.toString()).build());
		long uploaded = System.nanoTime();
		long stored = this.minio.statObject(StatObjectArgs.builder().bucket(BUCKET).object(key).build()).size();
		if (stored != Files.size(encrypted)) {
			throw new IllegalStateException("naive upload stored " + stored + " bytes of " + Files.size(encrypted));
		}
		row.naiveCpu = cpuSeconds(cpuBefore, cpuOutsideCoffer());
		row.naiveBgsave = BenchFiles.seconds(saved - started);
		row.naiveTar = BenchFiles.seconds(archived - saved);
		row.naiveEnc = BenchFiles.seconds(encryptedAt - archived);
		row.naiveUpload = BenchFiles.seconds(uploaded - encryptedAt);
		row.naiveSeconds = BenchFiles.seconds(uploaded - started);
		row.naiveArchiveBytes = Files.size(archive);
		Files.delete(archive);
		Files.delete(encrypted);
		log(String.format(Locale.ROOT, "B: naive %.1f s (BGSAVE %.1f, tar czf %.1f, openssl %.1f, upload %.1f)",
				row.naiveSeconds, row.naiveBgsave, row.naiveTar, row.naiveEnc, row.naiveUpload));
	}

	/** BGSAVE, waiting for it to end: {@code rdb_saves} (Redis 7+) counts the snapshots taken. */
	private void bgsaveAndWait() throws Exception {
		this.dataset.bgsaveAndWait();
	}

	private void exec(List<String> command) throws Exception {
		Path output = this.work.resolve("command.log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		if (process.waitFor() != 0) {
			throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(output));
		}
	}

	private void removeObjects() throws IOException {
		// the objects of this size are no longer needed; keep the disk for the next size
		Path bucket = this.work.resolve("s3").resolve(BUCKET);
		if (Files.isDirectory(bucket)) {
			try (Stream<Path> paths = Files.walk(bucket)) {
				paths.filter(Files::isRegularFile).forEach((path) -> path.toFile().delete());
			}
		}
	}

	// ------------------------------------------------------------------ report

	private void printReport() throws Exception {
		StringBuilder out = new StringBuilder();
		out.append("\n## Results\n\n");
		out.append(machine()).append('\n');
		out.append("| RDB MB | keys | gzip level (library) | floor s | A s | B s | A/B | A/floor | A MB/s of RDB | Coffer peak heap used MB | Coffer peak RSS MB | A archive MB | B archive MB |\n");
		out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Row row : this.rows) {
			out.append(String.format(Locale.ROOT, "| %.0f | %d | %d (%s) | %.1f | %.1f | %.1f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f |\n",
					row.floorRdbBytes / MB, row.keys, row.level, row.library, row.floorSeconds, row.cofferSeconds, row.naiveSeconds,
					row.cofferSeconds / row.naiveSeconds, row.cofferSeconds / row.floorSeconds,
					row.floorRdbBytes / MB / row.cofferSeconds, row.peakHeapUsedMb, row.peakRssMb,
					row.cofferArchiveBytes / MB, row.naiveArchiveBytes / MB));
		}
		out.append("\nB, step by step (s): BGSAVE / tar czf / openssl enc / upload\n\n");
		out.append("| RDB MB | BGSAVE | tar czf | openssl enc | upload | B total |\n|---:|---:|---:|---:|---:|---:|\n");
		for (Row row : this.rows) {
			if (row.level == this.settings.levels.get(0)) {
				out.append(String.format(Locale.ROOT, "| %.0f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", row.floorRdbBytes / MB,
						row.naiveBgsave, row.naiveTar, row.naiveEnc, row.naiveUpload, row.naiveSeconds));
			}
		}
		out.append("\nCPU seconds used (all processes involved: Coffer, Redis and its fork, S3 server, redis-cli, tar, gzip, openssl): "
				+ "unlike wall times, other programs running on the machine do not inflate them\n\n");
		out.append("| RDB MB | gzip level | floor CPU s | A CPU s (Coffer + others) | B CPU s | A/B in CPU |\n|---:|---:|---:|---:|---:|---:|\n");
		for (Row row : this.rows) {
			double a = row.cofferCpuSeconds + row.cofferOthersCpu;
			out.append(String.format(Locale.ROOT, "| %.0f | %d | %.1f | %.1f (%.1f + %.1f) | %.1f | %.2f |\n", row.floorRdbBytes / MB,
					row.level, row.floorCpu, a, row.cofferCpuSeconds, row.cofferOthersCpu, row.naiveCpu, a / row.naiveCpu));
		}
		out.append("\nCoffer against the goals' references: `redis-cli --rdb` (wall) and `gzip -1` of the same dump (CPU)\n\n");
		out.append("| RDB MB | gzip level (library) | floor s | A s | A/floor | gzip -1 s | gzip -1 CPU s | Coffer CPU s | Coffer CPU / gzip -1 CPU |\n");
		out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Row row : this.rows) {
			out.append(String.format(Locale.ROOT, "| %.0f | %d (%s) | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %.2f |\n",
					row.floorRdbBytes / MB, row.level, row.library, row.floorSeconds, row.cofferSeconds,
					row.cofferSeconds / row.floorSeconds, row.gzipOneSeconds, row.gzipOneCpu, row.cofferCpuSeconds,
					row.cofferCpuSeconds / row.gzipOneCpu));
		}
		out.append("\nA, stages of the snapshot step (Coffer's log): the node's preparation before the first byte "
				+ "(length-prefixed stream: its BGSAVE to disk), then RDB → parse → tar → gzip → AES-GCM → upload as one pipeline; "
				+ "SHA-256 of the dump read back from a file, what a local spool's digest would add at the end\n\n");
		out.append("| RDB MB | gzip level (library) | A s | snapshot opened s | of which the node prepared s | pipeline s | pipeline MB/s | floor s | SHA-256 of a spool s |\n");
		out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Row row : this.rows) {
			out.append(String.format(Locale.ROOT, "| %.0f | %d (%s) | %.1f | %.2f | %.2f | %.2f | %.0f | %.1f | %.2f |\n",
					row.floorRdbBytes / MB, row.level, row.library, row.cofferSeconds, row.openSeconds,
					row.preparationSeconds, row.shipSeconds, row.floorRdbBytes / MB / row.shipSeconds, row.floorSeconds,
					row.spoolDigestSeconds));
		}
		out.append("\nA, details: Spring Batch steps, Coffer's CPU time, machine busy share, memory\n\n");
		out.append("| RDB MB | gzip level | steps | Coffer CPU s | machine busy | RSS before backup MB | sampled max RSS MB | heap committed max MB | heap max MB | heap samples | load avg before → after |\n");
		out.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
		for (Row row : this.rows) {
			out.append(String.format(Locale.ROOT, "| %.0f | %d | %s | %.1f | %.0f %% | %.0f | %.0f | %.0f | %.0f | %d | %s → %s |\n",
					row.floorRdbBytes / MB, row.level, row.stepTimes, row.cofferCpuSeconds, row.machineBusy * 100,
					row.rssBeforeMb, row.sampledRssMb, row.peakHeapCommittedMb, row.heapMaxMb, row.heapSamples,
					row.loadBefore, row.loadAfter));
		}
		out.append("\nTargets\n\n");
		for (Row row : this.rows) {
			out.append(String.format(Locale.ROOT,
					"- %.0f MB, level %d (%s): A ≤ 1.2 × floor: %s (%.2f); Coffer CPU ≤ 0.25 × gzip -1 CPU: %s (%.2f); peak RSS < 600 MB: %s (%.0f MB)\n",
					row.floorRdbBytes / MB, row.level, row.library, met(row.cofferSeconds <= 1.2 * row.floorSeconds),
					row.cofferSeconds / row.floorSeconds, met(row.cofferCpuSeconds <= 0.25 * row.gzipOneCpu),
					row.cofferCpuSeconds / row.gzipOneCpu, met(row.peakRssMb < 600), row.peakRssMb));
		}
		for (String note : this.notes) {
			out.append("\n").append(note).append('\n');
		}
		System.out.println(out);
		if (this.settings.output != null) {
			Files.createDirectories(this.settings.output.toAbsolutePath().getParent());
			Files.writeString(this.settings.output, out.toString());
			log("report written to " + this.settings.output);
		}
	}

	private static String met(boolean met) {
		return met ? "**met**" : "**missed**";
	}

	private String machine() throws Exception {
		String cpu = "?";
		for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
			if (line.startsWith("model name")) {
				cpu = line.substring(line.indexOf(':') + 1).trim();
				break;
			}
		}
		long memKb = procMeminfo("MemTotal");
		String flags = javaFlags();
		return String.format(Locale.ROOT,
				"Machine: %d cores (%s), %.1f GiB RAM; Java %s (%s); redis-server %s; Coffer JVM options: %s%s.%n",
				Runtime.getRuntime().availableProcessors(), cpu, memKb / 1024.0 / 1024.0, System.getProperty("java.runtime.version"),
				System.getProperty("java.vm.name"), redisVersion(),
				this.settings.cofferJavaOptions.isEmpty() ? "none (JVM defaults)" : String.join(" ", this.settings.cofferJavaOptions),
				flags);
	}

	/** The GC and maximum heap the Coffer JVM gets with its options, from -XX:+PrintFlagsFinal. */
	private String javaFlags() throws Exception {
		List<String> command = new ArrayList<>();
		command.add(javaBinary());
		// the heap and GC options; not a recording or a log, which this run would overwrite
		this.settings.cofferJavaOptions.stream()
			.filter((option) -> !option.startsWith("-XX:StartFlightRecording") && !option.startsWith("-Xlog"))
			.forEach(command::add);
		command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		process.waitFor();
		String gc = "?";
		long maxHeap = -1;
		for (String line : output.split("\n")) {
			String[] parts = line.trim().split("\\s+");
			if (parts.length >= 4 && parts[3].equals("true") && parts[1].matches("Use(G1|Serial|Parallel|Z|Shenandoah|Epsilon)GC")) {
				gc = parts[1].substring(3);
			}
			if (parts.length >= 4 && parts[1].equals("MaxHeapSize")) {
				maxHeap = Long.parseLong(parts[3]);
			}
		}
		return String.format(Locale.ROOT, " → %s, max heap %.0f MB", gc, maxHeap / 1024.0 / 1024.0);
	}

	// ------------------------------------------------------------------ helpers

	private String redisVersion() {
		return this.redis.info("server").get("redis_version");
	}

	private long dbSize() {
		try (Jedis jedis = this.redis.jedis()) {
			return jedis.dbSize();
		}
	}

	static String createPostgresDatabase() {
		String name = "coffer_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		try (Connection connection = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute("create database " + name);
			return name;
		}
		catch (SQLException ex) {
			log("no PostgreSQL at " + PG_SERVER + " (" + ex.getMessage() + "): Coffer uses its embedded one");
			return null;
		}
	}

	static void dropPostgresDatabase(String name) {
		try (Connection connection = DriverManager.getConnection(PG_SERVER + "postgres", "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute("drop database if exists " + name + " with (force)");
		}
		catch (SQLException ex) {
			log("could not drop database " + name + ": " + ex.getMessage());
		}
	}

	static int freePort() throws IOException {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	static String javaBinary() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/** A field of /proc/<pid>/status, in kB. */
	static long procStatus(long pid, String name) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
				if (line.startsWith(name + ":")) {
					return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return -1;
	}

	private static long procMeminfo(String name) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
			if (line.startsWith(name + ":")) {
				return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
			}
		}
		return -1;
	}

	/** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
	static long processCpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	/** CPU of a process and of the children it has waited for (utime, stime, cutime, cstime), in ticks. */
	static long processTreeCpuTicks(String pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", pid, "stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
				+ Long.parseLong(fields[14]);
	}

	/**
	 * CPU used so far by everything but Coffer: Redis with its fork children (snapshots), and this
	 * process (S3 server, MinIO client, sampling) with the commands it ran (redis-cli, tar, gzip,
	 * openssl). Contention from other programs inflates wall times, not these.
	 */
	private long[] cpuOutsideCoffer() throws IOException {
		return new long[] { processTreeCpuTicks(String.valueOf(this.redis.pid())), processTreeCpuTicks("self") };
	}

	private static double cpuSeconds(long[] before, long[] after) {
		return (after[0] - before[0] + after[1] - before[1]) / 100.0;
	}

	/** {total, idle+iowait} ticks of all CPUs. */
	private static long[] machineTicks() throws IOException {
		String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
		long total = 0;
		for (int i = 1; i < fields.length; i++) {
			total += Long.parseLong(fields[i]);
		}
		return new long[] { total, Long.parseLong(fields[4]) + Long.parseLong(fields[5]) };
	}

	private static double busyFraction(long[] before, long[] after) {
		long total = after[0] - before[0];
		return (total == 0) ? 0 : 1.0 - (double) (after[1] - before[1]) / total;
	}

	static String loadAverage() throws IOException {
		String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
		return parts[0];
	}

	static String tail(Path file, int lines) {
		try {
			List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	private static void log(String message) {
		System.out.println("-----> " + message);
	}

	private void cleanUp() {
		if (this.redis != null) {
			this.redis.close();
		}
		if (this.s3 != null) {
			this.s3.close();
		}
		if (!this.settings.keep) {
			BenchFiles.deleteTree(this.work, BackupBenchmark::log);
		}
	}

	/** One measurement: one dataset size, one gzip level. */
	private static final class Row implements Cloneable {

		int targetMb;

		int level;

		long rdbBytes;

		long floorRdbBytes;

		long keys;

		double floorSeconds;

		double cofferSeconds;

		double cofferCpuSeconds;

		double machineBusy;

		double rssBeforeMb;

		double peakRssMb;

		double sampledRssMb;

		double peakHeapUsedMb;

		double peakHeapCommittedMb;

		double heapMaxMb;

		int heapSamples;

		long cofferArchiveBytes;

		String stepTimes = "";

		String library = "?";

		String loadBefore = "";

		String loadAfter = "";

		double naiveSeconds;

		double naiveCpu;

		double floorCpu;

		double gzipOneSeconds;

		double gzipOneCpu;

		double spoolDigestSeconds;

		double openSeconds = Double.NaN;

		double preparationSeconds = Double.NaN;

		double shipSeconds = Double.NaN;

		double cofferOthersCpu;

		double naiveBgsave;

		double naiveTar;

		double naiveEnc;

		double naiveUpload;

		long naiveArchiveBytes;

		Row copyForLevel() {
			try {
				return (Row) clone();
			}
			catch (CloneNotSupportedException ex) {
				throw new IllegalStateException(ex);
			}
		}

		void copyNaiveFrom(Row other) {
			this.naiveSeconds = other.naiveSeconds;
			this.naiveBgsave = other.naiveBgsave;
			this.naiveTar = other.naiveTar;
			this.naiveEnc = other.naiveEnc;
			this.naiveUpload = other.naiveUpload;
			this.naiveArchiveBytes = other.naiveArchiveBytes;
			this.naiveCpu = other.naiveCpu;
		}

		String summary() {
			return String.format(Locale.ROOT,
					"=====> RDB %.0f MB, level %d: floor %.1f s, A %.1f s, B %.1f s, A/B %.2f, A/floor %.2f, peak RSS %.0f MB, peak heap %.0f MB",
					this.floorRdbBytes / MB, this.level, this.floorSeconds, this.cofferSeconds, this.naiveSeconds,
					this.cofferSeconds / this.naiveSeconds, this.cofferSeconds / this.floorSeconds, this.peakRssMb,
					this.peakHeapUsedMb);
		}

	}

	/** Command-line options. */
	private static final class Settings {

		List<Integer> sizesMb = List.of(200, 600);

		List<Integer> levels = List.of(6);

		List<String> cofferJavaOptions = List.of();

		Path jar = Path.of("target/coffer.jar");

		Path output;

		boolean keep;

		static Settings parse(String[] args) {
			Settings settings = new Settings();
			for (int i = 0; i < args.length; i++) {
				String arg = args[i];
				switch (arg) {
					// ascending: the dataset grows from one size to the next
					case "--sizes" -> settings.sizesMb = ints(args[++i]).stream().sorted().toList();
					case "--levels" -> settings.levels = ints(args[++i]);
					case "--coffer-java-opts" -> settings.cofferJavaOptions = args[++i].isBlank() ? List.of()
							: List.of(args[i].trim().split("\\s+"));
					case "--jar" -> settings.jar = Path.of(args[++i]);
					case "--output" -> settings.output = Path.of(args[++i]);
					case "--keep" -> settings.keep = true;
					default -> throw new IllegalArgumentException("unknown option " + arg
							+ "; options: --sizes 200,600 --levels 6,1 --coffer-java-opts '-Xmx512m' --output FILE --keep");
				}
			}
			return settings;
		}

		private static List<Integer> ints(String list) {
			return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
		}

	}

}
