package io.coffer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.coffer.pipeline.DeflateLibraries;
import io.coffer.pipeline.GzipMembersInputStream;
import io.coffer.pipeline.rdb.RdbCheckingInputStream;
import io.coffer.storage.EmbeddedS3Server;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import io.coffer.testsupport.RedisServerProcess;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The restore benchmark behind {@code scripts/bench restore}: on the backup benchmark's dataset, for
 * each size, times
 * <ul>
 * <li>A: an in-place restore through Coffer as it runs by default, from the API call to {@code done}, in a
 * fresh Coffer JVM per size (after one backup through the same JVM): the archive read once and verified
 * fully while it streams, the target loading the way Coffer chose for it ({@code load});</li>
 * <li>D: a restore drill of that backup ({@code restoreJob restoreDrillJob} into a scratch server), from
 * the call until the job completed;</li>
 * <li>B: {@code redis-server} loading the same {@code dump.rdb} from its own disk at start-up, from the
 * process' start until {@code INFO persistence} says {@code loading:0} and {@code PING} answers.</li>
 * </ul>
 * The stages of A are timed apart from it, in this JVM on the same archive: fetched and decrypted (the
 * archive's download), inflated ({@link GzipMembersInputStream}, the library it names), and inflated and
 * parsed ({@link RdbCheckingInputStream}); the target's receive and load come from the restore's checks.
 * Not a test: it has a {@code main} and no test suffix, so the suite never runs it.
 */
public final class RestoreBenchmark {

	private static final double MB = 1_000_000.0;

	private static final String REDIS_PASSWORD = "bench-" + UUID.randomUUID().toString().substring(0, 8);

	private static final String BUCKET = "coffer-bench";

	private static final int B_RUNS = 3;

	private final Path work;

	private final List<Integer> sizesMb;

	private final List<String> cofferJavaOptions;

	private final Path jar;

	private final Path output;

	private RedisServerProcess redis;

	private EmbeddedS3Server s3;

	private final List<String> rows = new ArrayList<>();

	private final List<String> details = new ArrayList<>();

	private final List<String> targets = new ArrayList<>();

	private final List<String> stageRows = new ArrayList<>();

	private RestoreBenchmark(List<Integer> sizesMb, List<String> cofferJavaOptions, Path jar, Path output)
			throws IOException {
		this.sizesMb = sizesMb;
		this.cofferJavaOptions = cofferJavaOptions;
		this.jar = jar;
		this.output = output;
		this.work = Files.createTempDirectory("coffer-bench-restore-");
	}

	public static void main(String[] args) throws Exception {
		List<Integer> sizes = List.of(200, 1000);
		List<String> javaOptions = List.of();
		Path jar = Path.of("target/coffer.jar");
		Path output = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).map(String::trim).map(Integer::parseInt)
					.sorted().toList();
				case "--coffer-java-opts" -> javaOptions = args[++i].isBlank() ? List.of()
						: List.of(args[i].trim().split("\\s+"));
				case "--jar" -> jar = Path.of(args[++i]);
				case "--output" -> output = Path.of(args[++i]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]
						+ "; options: --sizes 200,1000 --coffer-java-opts '-Xmx512m' --output FILE");
			}
		}
		RestoreBenchmark bench = new RestoreBenchmark(sizes, javaOptions, jar, output);
		BackupBenchmark.exitAfter(bench::run, bench::cleanUp);
	}

	private void run() throws Exception {
		this.redis = RedisServerProcess.options().password(REDIS_PASSWORD).start();
		BenchDataset dataset = new BenchDataset(this.redis);
		this.s3 = new EmbeddedS3Server(this.work.resolve("s3"), 0, "bench-access", "bench-secret-" + UUID.randomUUID())
			.start();
		MinioClient minio = MinioClient.builder()
			.endpoint(this.s3.endpoint())
			.credentials(this.s3.accessKey(), this.s3.secretKey())
			.build();
		if (!minio.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())) {
			minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
		}
		String version = this.redis.info("server").get("redis_version");
		for (int sizeMb : this.sizesMb) {
			dataset.fillTo(sizeMb * 1_000_000L);
			long keys = dataset.dbSize();
			String digest = digest();
			// B's dump: the one Redis writes itself, as a file on disk
			dataset.bgsaveAndWait();
			Path dumpDir = Files.createDirectories(this.work.resolve("b-" + sizeMb));
			Path dump = Files.copy(this.redis.dir().resolve("dump.rdb"), dumpDir.resolve("dump.rdb"),
					StandardCopyOption.REPLACE_EXISTING);
			long rdbBytes = Files.size(dump);

			double[] a = runCoffer(sizeMb, digest);
			double[] b = new double[B_RUNS];
			for (int i = 0; i < B_RUNS; i++) {
				b[i] = loadAtStartUp(dumpDir);
				log(String.format(Locale.ROOT, "B: redis-server loaded %.0f MB from disk in %.2f s", rdbBytes / MB, b[i]));
			}
			double bMedian = Arrays.stream(b).sorted().toArray()[B_RUNS / 2];
			this.rows.add(String.format(Locale.ROOT, "| %.0f | %d | %.1f | %.1f | %.2f (%s) | %.2f | %.2f | %s |",
					rdbBytes / MB, keys, a[0], a[1], bMedian, joined(b), a[0] / bMedian, a[1] / bMedian,
					DeflateLibraries.active().id()));
			this.targets.add(String.format(Locale.ROOT,
					"- %.0f MB: restore A ≤ 1.5 × B: %s (%.2f); drill D ≤ 2 × B: %s (%.2f)", rdbBytes / MB,
					met(a[0] <= 1.5 * bMedian), a[0] / bMedian, met(a[1] <= 2 * bMedian), a[1] / bMedian));
			Files.deleteIfExists(dump);
			removeObjects();
		}
		report(version);
	}

	/** A fresh Coffer: one backup, then the restore, the drill and the stages apart; {A s, D s}. */
	private double[] runCoffer(int sizeMb, String digest) throws Exception {
		try (CofferProcess coffer = CofferProcess.start(this.jar, this.cofferJavaOptions,
				this.work.resolve("coffer-" + sizeMb), this.s3, BUCKET, Map.of())) {
			String databaseId = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases",
					"{\"app\":\"bench\",\"register\":{\"nodes\":[{\"host\":\"127.0.0.1\",\"port\":" + this.redis.port()
							+ "}],\"password\":\"" + REDIS_PASSWORD + "\"}}", 201), "id");
			String backupId = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases/" + databaseId + "/backups",
					"", 202), "id");
			coffer.awaitDone("/api/v1/databases/" + databaseId + "/backups/" + backupId);
			log("backup " + backupId + " done");
			long cpuBefore = BackupBenchmark.processCpuTicks(coffer.pid());
			double restored = restore(coffer, databaseId, backupId, digest, sizeMb);
			double cpu = (BackupBenchmark.processCpuTicks(coffer.pid()) - cpuBefore) / 100.0;
			double drill = drill(coffer, sizeMb);
			stages(coffer, databaseId, backupId, sizeMb, cpu);
			return new double[] { restored, drill };
		}
	}

	private double restore(CofferProcess coffer, String databaseId, String backupId, String digest, int sizeMb)
			throws Exception {
		String load = BackupBenchmark.loadAverage();
		int logLines = Files.readAllLines(this.redis.logFile(), StandardCharsets.UTF_8).size();
		long started = System.nanoTime();
		String restoreId = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases/" + databaseId + "/restores",
				"{\"backup\":\"" + backupId + "\",\"target\":\"in_place\"}", 202), "id");
		String view = coffer.awaitDone("/api/v1/databases/" + databaseId + "/restores/" + restoreId);
		double seconds = (System.nanoTime() - started) / 1e9;
		if (!digest.equals(digest())) {
			throw new IllegalStateException("the restored data differs from the dataset (DEBUG DIGEST)");
		}
		String steps = stepTimes(coffer.logFile());
		List<String> redisLog = Files.readAllLines(this.redis.logFile(), StandardCharsets.UTF_8);
		String phases = replicaPhases(redisLog.subList(Math.min(logLines, redisLog.size()), redisLog.size()));
		String way = BackupBenchmark.field(view, "load");
		String streamed = BackupBenchmark.field(view, "stream_seconds");
		String loaded = BackupBenchmark.field(view, "target_load_seconds");
		this.details.add(String.format(Locale.ROOT, "| %d | restore (one pass, verified, load %s) | %.1f | %s; streamed"
				+ " (fetch, decrypt, inflate, parse, send) %s s, then the target's load %s s | %s | %s → %s |", sizeMb,
				way, seconds, steps, streamed, loaded, phases, load, BackupBenchmark.loadAverage()));
		log(String.format(Locale.ROOT, "A: in-place restore %.1f s (load %s): %s; streamed %s s, target load %s s;"
				+ " target: %s", seconds, way, steps, streamed, loaded, phases));
		return seconds;
	}

	/** D: a drill of the database's latest backup, from the call until the job completed. */
	private double drill(CofferProcess coffer, int sizeMb) throws Exception {
		String load = BackupBenchmark.loadAverage();
		long started = System.nanoTime();
		String execution = BackupBenchmark.field(coffer.call("POST", "/api/v1/jobs/restoreDrillJob", "", 202),
				"execution");
		String view;
		while (true) {
			view = coffer.call("GET", "/api/v1/jobs/" + execution, null, 200);
			String status = BackupBenchmark.field(view, "status");
			if ("completed".equals(status)) {
				break;
			}
			if ("failed".equals(status) || "stopped".equals(status) || "abandoned".equals(status)) {
				throw new IllegalStateException("the drill ended " + status + ": " + view);
			}
			Thread.sleep(50);
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		this.details.add(String.format(Locale.ROOT, "| %d | drill (scratch server, load diskless_empty) | %.1f | %s |"
				+ " | %s → %s |", sizeMb, seconds, BackupBenchmark.field(view, "exit_description"),
				load, BackupBenchmark.loadAverage()));
		log(String.format(Locale.ROOT, "D: drill %.1f s: %s", seconds, view));
		return seconds;
	}

	/**
	 * The stages of the restore timed apart on the same archive: its download (fetch from storage and
	 * decrypt), then, in this JVM, inflate alone, and inflate with the parse, as a restore runs them.
	 */
	private void stages(CofferProcess coffer, String databaseId, String backupId, int sizeMb, double restoreCpu)
			throws Exception {
		Path archive = this.work.resolve("archive-" + sizeMb + ".tar.gz");
		long started = System.nanoTime();
		HttpResponse<Path> downloaded = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(coffer.base() + "/api/v1/databases/" + databaseId + "/backups/"
					+ backupId + "/archive"))
				.header("Authorization", "Bearer " + CofferProcess.ADMIN_TOKEN)
				.build(), HttpResponse.BodyHandlers.ofFile(archive));
		if (downloaded.statusCode() != 200) {
			throw new IllegalStateException("the archive's download answered " + downloaded.statusCode());
		}
		double fetched = (System.nanoTime() - started) / 1e9;
		long archiveBytes = Files.size(archive);
		started = System.nanoTime();
		long plainBytes;
		try (InputStream in = new GzipMembersInputStream(Files.newInputStream(archive))) {
			plainBytes = in.transferTo(OutputStream.nullOutputStream());
		}
		double inflated = (System.nanoTime() - started) / 1e9;
		started = System.nanoTime();
		long dumpBytes;
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new GzipMembersInputStream(Files.newInputStream(archive)))) {
			TarArchiveEntry entry = tar.getNextEntry();
			dumpBytes = entry.getSize();
			try (InputStream dump = new RdbCheckingInputStream(tar, io.coffer.archive.ArchiveFormat.NEWEST_RDB_VERSION, dumpBytes)) {
				dump.transferTo(OutputStream.nullOutputStream());
			}
		}
		double parsed = (System.nanoTime() - started) / 1e9;
		Files.deleteIfExists(archive);
		this.stageRows.add(String.format(Locale.ROOT,
				"| %d | %.0f MB | %.2f s (%.0f MB/s) | %.2f s (%.0f MB/s of dump) | %.2f s (%.0f MB/s) | %s | %.1f | %s |",
				sizeMb, archiveBytes / MB, fetched, archiveBytes / MB / fetched, inflated, plainBytes / MB / inflated,
				parsed, dumpBytes / MB / parsed, DeflateLibraries.active().description(), restoreCpu,
				BackupBenchmark.loadAverage()));
	}

	/** {@code DEBUG DIGEST}, which takes a while on hundreds of MB: a patient connection. */
	private String digest() {
		DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
			.password(REDIS_PASSWORD)
			.socketTimeoutMillis((int) TimeUnit.MINUTES.toMillis(5))
			.build();
		try (Jedis jedis = new Jedis(this.redis.host(), this.redis.port(), config)) {
			return SafeEncoder.encode((byte[]) jedis.sendCommand(() -> SafeEncoder.encode("DEBUG"), "DIGEST"));
		}
	}

	/**
	 * The target's side of the load, from its own log: receiving the dump (to its disk, Redis' default
	 * {@code repl-diskless-load disabled}), flushing the data it had, loading the dump.
	 */
	static String replicaPhases(List<String> lines) {
		Pattern timed = Pattern.compile("^\\d+:\\w (\\d+ \\w+ \\d+ \\d+:\\d+:\\d+\\.\\d+) . (.*)$");
		DateTimeFormatter format = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm:ss.SSS",
				Locale.ENGLISH);
		LocalDateTime receiving = null;
		LocalDateTime flushing = null;
		LocalDateTime loading = null;
		LocalDateTime finished = null;
		for (String line : lines) {
			Matcher matcher = timed.matcher(line);
			if (!matcher.matches()) {
				continue;
			}
			LocalDateTime at = LocalDateTime.parse(matcher.group(1), format);
			String message = matcher.group(2);
			if (message.contains("MASTER <-> REPLICA sync: receiving")) {
				receiving = at;
			}
			else if (message.contains("MASTER <-> REPLICA sync: Flushing old data")) {
				flushing = at;
			}
			else if (message.contains("MASTER <-> REPLICA sync: Loading DB in memory")) {
				loading = at;
			}
			else if (message.contains("MASTER <-> REPLICA sync: Finished with success")) {
				finished = at;
			}
		}
		if (receiving == null || flushing == null || loading == null || finished == null) {
			return "(not in the target's log)";
		}
		return String.format(Locale.ROOT, "receive %.1f s, flush %.1f s, load %.1f s",
				Duration.between(receiving, flushing).toMillis() / 1000.0,
				Duration.between(flushing, loading).toMillis() / 1000.0,
				Duration.between(loading, finished).toMillis() / 1000.0);
	}

	/** B: from the process' start until it has loaded its dump and answers PING. */
	private double loadAtStartUp(Path dir) throws Exception {
		int port = BackupBenchmark.freePort();
		long started = System.nanoTime();
		Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
				"--dir", dir.toString(), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no")
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("redis.log").toFile())
			.start();
		try {
			DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
				.connectionTimeoutMillis(1000)
				.socketTimeoutMillis(5000)
				.build();
			long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
			while (System.nanoTime() < deadline) {
				if (!process.isAlive()) {
					throw new IllegalStateException("redis-server exited: " + BackupBenchmark.tail(dir.resolve("redis.log"), 20));
				}
				try (Jedis jedis = new Jedis("127.0.0.1", port, config)) {
					if (jedis.info("persistence").contains("loading:0") && "PONG".equals(jedis.ping())) {
						return (System.nanoTime() - started) / 1e9;
					}
				}
				catch (RuntimeException ex) {
					// not listening yet, or loading
				}
				Thread.sleep(10);
			}
			throw new IllegalStateException("redis-server did not load its dump within 10 minutes");
		}
		finally {
			BackupBenchmark.stop(process);
		}
	}

	/** The restore's steps, from Spring Batch's "Step: [x] executed in …" lines: the last three. */
	private static String stepTimes(Path logFile) throws IOException {
		Pattern step = Pattern.compile("Step: \\[(fetchAndCheckStep|loadStep|verifyStep)\\] executed in ([0-9a-z ]+)");
		List<String> found = new ArrayList<>();
		for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
			Matcher matcher = step.matcher(line);
			if (matcher.find()) {
				found.add(matcher.group(1) + " " + matcher.group(2).trim());
			}
		}
		return String.join(", ", found.subList(Math.max(0, found.size() - 3), found.size()));
	}

	private void report(String redisVersion) throws IOException {
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "%nMachine: %d cores; Java %s; redis-server %s; Coffer JVM options: %s.%n%n",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"), redisVersion,
				this.cofferJavaOptions.isEmpty() ? "none (JVM defaults)" : String.join(" ", this.cofferJavaOptions)));
		out.append("| RDB MB | keys | A s (restore, one pass, verified) | D s (drill) | B s, median (runs) | A/B | D/B | library |\n");
		out.append("|---:|---:|---:|---:|---:|---:|---:|---|\n");
		this.rows.forEach((row) -> out.append(row).append('\n'));
		out.append("\nA and D, by step (Spring Batch, the restore's checks), and the target's side from its log\n\n| RDB MB | run | s | steps | target: receive / flush old data / load | load avg before → after |\n|---:|---|---:|---|---|---|\n");
		this.details.forEach((row) -> out.append(row).append('\n'));
		out.append("\nThe stages apart, on the same archive (one at a time, not overlapped as in the restore)\n\n| RDB MB | archive | fetch + decrypt (download) | inflate | inflate + parse | library | Coffer CPU s (restore) | load avg |\n|---:|---:|---:|---:|---:|---|---:|---|\n");
		this.stageRows.forEach((row) -> out.append(row).append('\n'));
		out.append("\nTargets\n\n");
		this.targets.forEach((row) -> out.append(row).append('\n'));
		System.out.println(out);
		if (this.output != null) {
			Files.writeString(this.output, out.toString());
		}
	}

	private static String joined(double[] values) {
		return String.join(", ", Arrays.stream(values).mapToObj((v) -> String.format(Locale.ROOT, "%.2f", v)).toList());
	}

	private static String met(boolean met) {
		return met ? "**met**" : "**missed**";
	}

	private void removeObjects() throws IOException {
		Path bucket = this.work.resolve("s3").resolve(BUCKET);
		if (Files.isDirectory(bucket)) {
			try (Stream<Path> paths = Files.walk(bucket)) {
				paths.filter(Files::isRegularFile).forEach((path) -> path.toFile().delete());
			}
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
		BenchFiles.deleteTree(this.work, RestoreBenchmark::log);
	}

}
