// Longer than 400 lines because the run's four stages share one Coffer, one fleet and one report, and read in order
package io.coffer.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.coffer.storage.EmbeddedS3Server;
import redis.clients.jedis.Jedis;

/**
 * {@code scripts/bench pitr}: point-in-time recovery measured on one Coffer process (its own JVM, its own
 * PostgreSQL, one S3 server). Four stages: N archivers turned on over a few redis-server (time until all
 * archive, threads, RSS and heap per archiver); the {@code lag_ms} of all of them sampled during a minute of
 * writes (the RPO users see) with Coffer's CPU; {@code redis-benchmark} against one node without and with an
 * archiver; a restore to a time against a restore of its base backup, on one database of some 60 MB. Not a
 * test: the suite never runs it.
 */
public final class PitrBenchmark {

	private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

	/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in hundredths of a second. */
	private static final double TICKS_PER_SECOND = 100.0;

	/** The restore stage's dataset: incompressible 1 KiB values, about 64 MB of RDB. */
	private static final int RESTORE_KEYS = 60_000;

	private static final Duration WRITE_LOAD = Duration.ofMinutes(1);

	private final Options options;

	private final StringBuilder report = new StringBuilder();

	private PitrBenchmark(Options options) {
		this.options = options;
	}

	/** What the command line chose. */
	record Options(Path jar, List<String> javaOptions, int archivers, int nodes, int writesPerSecond, Path output,
			boolean keep) {
	}

	public static void main(String[] args) throws Exception {
		Path jar = Path.of("target/coffer.jar");
		List<String> javaOptions = List.of();
		int archivers = 1000;
		int nodes = 0;
		int writesPerSecond = 200;
		Path output = null;
		boolean keep = false;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--jar" -> jar = Path.of(args[++i]);
				case "--coffer-java-opts" -> javaOptions = List.of(args[++i].trim().split("\\s+"));
				case "--archivers" -> archivers = Integer.parseInt(args[++i]);
				case "--nodes" -> nodes = Integer.parseInt(args[++i]);
				case "--writes-per-second" -> writesPerSecond = Integer.parseInt(args[++i]);
				case "--output" -> output = Path.of(args[++i]);
				case "--keep" -> keep = true;
				default -> throw new IllegalArgumentException("unknown option " + args[i]
						+ "; options: --archivers 1000 --nodes N --writes-per-second 200 --output FILE --keep");
			}
		}
		if (nodes <= 0) {
			nodes = Math.max(4, Math.min(40, archivers / 25));
		}
		PitrBenchmark benchmark = new PitrBenchmark(
				new Options(jar, javaOptions, archivers, nodes, writesPerSecond, output, keep));
		try {
			benchmark.run();
		}
		finally {
			// what the stages measured before one failed is still reported
			System.out.println(benchmark.report);
			if (output != null) {
				Files.writeString(output, benchmark.report);
			}
		}
	}

	private void run() throws Exception {
		Path work = Files.createTempDirectory("coffer-bench-pitr");
		int nodes = this.options.nodes;
		line("## Point-in-time recovery: %d archivers over %d redis-server, %d writes/s (load average %s at the start)",
				this.options.archivers, nodes, this.options.writesPerSecond, BackupBenchmark.loadAverage());
		line("");
		try (BenchPostgres postgres = BenchPostgres.start(ScaleBenchmark.CATALOGUE);
				EmbeddedS3Server s3 = new EmbeddedS3Server(work.resolve("objects"), 0, "bench", "bench-secret").start();
				ScaleFleet fleet = ScaleFleet.start(work, nodes + 2)) {
			int overheadNode = nodes;
			int restoreNode = nodes + 1;
			fillRestoreNode(fleet.port(restoreNode));
			Map<String, String> env = new TreeMap<>();
			// no periodic backup during the run: the window is 12 hours away
			env.put("COFFER_SCHEDULE_WINDOW_START", CLOCK.format(LocalTime.now(ZoneOffset.UTC).plusHours(12)));
			env.put("COFFER_STATS_SAMPLE_INTERVAL", "1h");
			// segments reach object storage (and recoverable_to moves) every 10 s, not every minute
			env.put("COFFER_PITR_UPLOAD_INTERVAL", "10s");
			try (CofferProcess coffer = CofferProcess.startOn(postgres.jdbcUrl(ScaleBenchmark.CATALOGUE),
					this.options.jar, this.options.javaOptions, work.resolve("coffer"), s3, ScaleBenchmark.BUCKET,
					env)) {
				List<String> ids = ScaleBenchmark.register(coffer, fleet.ports().subList(0, nodes),
						this.options.archivers, "pitr");
				String overheadId = ScaleBenchmark.register(coffer, List.of(fleet.port(overheadNode)), 1, "overhead")
					.get(0);
				String restoreId = ScaleBenchmark.register(coffer, List.of(fleet.port(restoreNode)), 1, "restore")
					.get(0);
				log(ids.size() + 2 + " databases registered");
				archivers(coffer, ids);
				String base = prepareRestore(coffer, restoreId);
				Instant at = writeLoad(coffer, fleet, ids, restoreNode);
				overhead(coffer, fleet, overheadNode, overheadId);
				restores(coffer, restoreId, base, at);
			}
		}
		finally {
			if (this.options.keep) {
				log("kept " + work);
			}
			else {
				BenchFiles.deleteTree(work, PitrBenchmark::log);
			}
		}
	}

	// ------------------------------------------------------------------ 1: archivers on one instance

	private void archivers(CofferProcess coffer, List<String> ids) throws Exception {
		Footprint before = Footprint.of(coffer);
		long started = System.nanoTime();
		forEach(ids, (id) -> coffer.call("PUT", pitrPath(id), "{\"enabled\":true}", 200));
		double turnedOn = BenchFiles.seconds(System.nanoTime() - started);
		log(String.format(Locale.ROOT, "PITR turned on for %d databases in %.1f s", ids.size(), turnedOn));
		Duration limit = Duration.ofMinutes(Math.max(3, ids.size() / 250));
		int archiving = awaitArchiving(coffer, ids, limit);
		double allArchive = BenchFiles.seconds(System.nanoTime() - started);
		Footprint after = Footprint.of(coffer);
		int n = Math.max(1, archiving);
		line("### Archivers on one instance");
		line("");
		line("%d of %d archiving (`lag_ms` not null in `GET …/pitr`) %.0f s after the first `PUT …/pitr` "
				+ "(the PUTs took %.1f s)%s.", archiving, ids.size(), allArchive, turnedOn,
				(archiving < ids.size()) ? String.format(Locale.ROOT, "; the others still not after %d min",
						limit.toMinutes()) : "");
		line("");
		line("| | before | with the archivers | per archiver |");
		line("|---|---:|---:|---:|");
		line("| threads | %d | %d | %.3f |", before.threads, after.threads, (after.threads - before.threads) / (double) n);
		line("| RSS | %.0f MiB | %.0f MiB | %.0f KiB |", before.rssKb / 1024.0, after.rssKb / 1024.0,
				(after.rssKb - before.rssKb) / (double) n);
		line("| heap used after `GC.run` | %.0f MiB | %.0f MiB | %.0f KiB |", before.heapBytes / 1048576.0,
				after.heapBytes / 1048576.0, (after.heapBytes - before.heapBytes) / 1024.0 / n);
		line("");
	}

	/** Until every database's {@code lag_ms} is a number or {@code limit} has passed; answers how many are. */
	private static int awaitArchiving(CofferProcess coffer, List<String> ids, Duration limit) throws Exception {
		long deadline = System.nanoTime() + limit.toNanos();
		List<String> waiting = new ArrayList<>(ids);
		long lastLog = 0;
		while (!waiting.isEmpty() && System.nanoTime() < deadline) {
			List<String> lags = forEach(waiting,
					(id) -> nullable(coffer.call("GET", pitrPath(id), null, 200), "lag_ms"));
			List<String> still = new ArrayList<>();
			for (int i = 0; i < waiting.size(); i++) {
				if ("null".equals(lags.get(i))) {
					still.add(waiting.get(i));
				}
			}
			waiting = still;
			if (System.nanoTime() - lastLog > 15_000_000_000L) {
				lastLog = System.nanoTime();
				log((ids.size() - waiting.size()) + " of " + ids.size() + " archiving");
			}
			if (!waiting.isEmpty()) {
				Thread.sleep(1000);
			}
		}
		return ids.size() - waiting.size();
	}

	/** Threads, RSS and heap of Coffer, the heap read after a full collection. */
	private record Footprint(long threads, long rssKb, long heapBytes) {

		static Footprint of(CofferProcess coffer) throws Exception {
			Process gc = new ProcessBuilder("jcmd", String.valueOf(coffer.pid()), "GC.run").redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (!gc.waitFor(60, TimeUnit.SECONDS)) {
				gc.destroyForcibly();
			}
			return new Footprint(BackupBenchmark.procStatus(coffer.pid(), "Threads"), coffer.procStatusKb("VmRSS"),
					coffer.heapUsed());
		}

	}

	// ------------------------------------------------------------------ 2: RPO during a write load

	/**
	 * A minute of writes: {@code --writes-per-second} spread over the archivers' nodes, as many again on the
	 * restore stage's node; {@code lag_ms} of every archiver sampled every 10 s, Coffer's CPU over the minute.
	 * Answers the instant the restore stage recovers to: the end of the writes.
	 */
	private Instant writeLoad(CofferProcess coffer, ScaleFleet fleet, List<String> ids, int restoreNode)
			throws Exception {
		List<Integer> ports = new ArrayList<>(fleet.ports().subList(0, this.options.nodes));
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicLong written = new AtomicLong();
		Thread writer = new Thread(() -> write(ports, fleet.port(restoreNode), writing, written), "writes");
		long cpuBefore = BackupBenchmark.processCpuTicks(coffer.pid());
		long started = System.nanoTime();
		writer.start();
		List<Long> lags = new ArrayList<>();
		long end = started + WRITE_LOAD.toNanos();
		while (System.nanoTime() < end) {
			long round = System.nanoTime();
			for (String lag : forEach(ids,
					(id) -> nullable(coffer.call("GET", pitrPath(id), null, 200), "lag_ms"))) {
				if (!"null".equals(lag)) {
					lags.add(Long.parseLong(lag));
				}
			}
			long next = Math.min(end, round + TimeUnit.SECONDS.toNanos(10));
			Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
		}
		writing.set(false);
		writer.join();
		Instant at = Instant.now();
		double seconds = BenchFiles.seconds(System.nanoTime() - started);
		double cpu = (BackupBenchmark.processCpuTicks(coffer.pid()) - cpuBefore) / TICKS_PER_SECOND;
		Collections.sort(lags);
		line("### RPO seen during writes");
		line("");
		line("%d writes in %.0f s (%d SET/s over the %d nodes, as many on the restore stage's node); %d samples of "
				+ "`lag_ms` (every archiver's `GET …/pitr` every 10 s): p50 **%d ms**, p99 **%d ms**, max **%d ms**. "
				+ "Coffer's CPU over the minute: %.1f s, %.0f %% of one core (the sampling's GETs included).",
				written.get(), seconds, this.options.writesPerSecond, this.options.nodes, lags.size(),
				percentile(lags, 50), percentile(lags, 99), lags.isEmpty() ? -1 : lags.get(lags.size() - 1), cpu,
				100 * cpu / seconds);
		line("");
		return at;
	}

	/** Paces SETs of 100-byte values, once a second a batch, until {@code writing} turns false. */
	private void write(List<Integer> ports, int restorePort, AtomicBoolean writing, AtomicLong written) {
		List<Jedis> clients = new ArrayList<>();
		try {
			for (int port : ports) {
				clients.add(client(port));
			}
			Jedis restore = client(restorePort);
			clients.add(restore);
			byte[] value = new byte[100];
			new Random(7).nextBytes(value);
			long second = 0;
			long started = System.nanoTime();
			while (writing.get()) {
				for (int i = 0; i < this.options.writesPerSecond; i++) {
					clients.get(i % ports.size()).set(("load:" + second + ":" + i).getBytes(StandardCharsets.UTF_8), value);
					restore.set(("load:" + second + ":" + i).getBytes(StandardCharsets.UTF_8), value);
					written.addAndGet(2);
				}
				second++;
				long next = started + TimeUnit.SECONDS.toNanos(second);
				long wait = TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime());
				if (wait > 0) {
					Thread.sleep(wait);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			clients.forEach(Jedis::close);
		}
	}

	private static Jedis client(int port) {
		Jedis jedis = new Jedis("127.0.0.1", port);
		jedis.auth(ScaleFleet.REDIS_PASSWORD);
		return jedis;
	}

	// ------------------------------------------------------------------ 3: overhead on the node

	private void overhead(CofferProcess coffer, ScaleFleet fleet, int node, String databaseId) throws Exception {
		String[] without = redisBenchmark(fleet, node);
		coffer.call("PUT", pitrPath(databaseId), "{\"enabled\":true}", 200);
		awaitArchiving(coffer, List.of(databaseId), Duration.ofMinutes(2));
		String[] with = redisBenchmark(fleet, node);
		line("### Archiving overhead on the node");
		line("");
		line("`redis-benchmark -t set -n 200000 -P 16 -c 20 -r 100000 -d 64 -q` against one redis-server, "
				+ "without then with an archiver attached:");
		line("");
		line("| | SET/s (p50) | node's CPU | wall |");
		line("|---|---:|---:|---:|");
		line("| without an archiver | %s | %s s | %s s |", without[0], without[1], without[2]);
		line("| with an archiver | %s | %s s | %s s |", with[0], with[1], with[2]);
		line("");
	}

	/** Answers redis-benchmark's summary, the node's CPU seconds during it and the wall time. */
	private static String[] redisBenchmark(ScaleFleet fleet, int node) throws Exception {
		long cpuBefore = BackupBenchmark.processCpuTicks(fleet.pid(node));
		long started = System.nanoTime();
		Process benchmark = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p",
				String.valueOf(fleet.port(node)), "-a", ScaleFleet.REDIS_PASSWORD, "-t", "set", "-n", "200000", "-P",
				"16", "-c", "20", "-r", "100000", "-d", "64", "-q")
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		String out = new String(benchmark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (benchmark.waitFor() != 0) {
			throw new IllegalStateException("redis-benchmark failed: " + out);
		}
		double wall = BenchFiles.seconds(System.nanoTime() - started);
		double cpu = (BackupBenchmark.processCpuTicks(fleet.pid(node)) - cpuBefore) / TICKS_PER_SECOND;
		// -q rewrites its progress line with \r; the summary is the last piece that names SET
		String summary = out.substring(out.lastIndexOf("SET:")).trim();
		String perSecond = summary.replaceAll("^SET: ([0-9.]+) requests per second.*$", "$1");
		String p50 = summary.contains("p50=") ? summary.replaceAll("^.*p50=([0-9.]+ msec).*$", "$1") : "?";
		log("redis-benchmark: " + summary);
		return new String[] { perSecond + " (" + p50 + ")", String.format(Locale.ROOT, "%.1f", cpu),
				String.format(Locale.ROOT, "%.1f", wall) };
	}

	// ------------------------------------------------------------------ 4: restore to a time

	private static void fillRestoreNode(int port) throws InterruptedException {
		Random random = new Random(17);
		BenchFiles.fillRedis(port, ScaleFleet.REDIS_PASSWORD, (pipeline) -> {
			for (int i = 0; i < RESTORE_KEYS; i++) {
				byte[] value = new byte[1024];
				random.nextBytes(value);
				pipeline.set(("big:" + i).getBytes(StandardCharsets.UTF_8), value);
				if (i % 1000 == 999) {
					pipeline.sync();
				}
			}
		});
	}

	/** A backup of the restore stage's database, then its archiver; answers the backup's id. */
	private static String prepareRestore(CofferProcess coffer, String databaseId) throws Exception {
		String base = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases/" + databaseId + "/backups", "", 202),
				"id");
		coffer.awaitDone("/api/v1/databases/" + databaseId + "/backups/" + base);
		coffer.call("PUT", pitrPath(databaseId), "{\"enabled\":true}", 200);
		awaitArchiving(coffer, List.of(databaseId), Duration.ofMinutes(2));
		log("restore stage's database backed up (" + base + ") and archiving");
		return base;
	}

	private void restores(CofferProcess coffer, String databaseId, String backup, Instant at) throws Exception {
		long waitStarted = System.nanoTime();
		while (true) {
			String to = nullable(coffer.call("GET", pitrPath(databaseId), null, 200), "recoverable_to");
			if (!"null".equals(to) && !Instant.parse(to).isBefore(at)) {
				break;
			}
			if (System.nanoTime() - waitStarted > TimeUnit.MINUTES.toNanos(3)) {
				throw new IllegalStateException("recoverable_to did not reach " + at + " in 3 min");
			}
			Thread.sleep(500);
		}
		// from the end of the writes, the overhead stage included: an upper bound of when recoverable_to passed it
		double waited = Duration.between(at, Instant.now()).toMillis() / 1000.0;
		String path = "/api/v1/databases/" + databaseId + "/restores";
		long started = System.nanoTime();
		String toTime = coffer.awaitDone(path + "/" + BackupBenchmark.field(
				coffer.call("POST", path, "{\"at\":\"" + at + "\",\"target\":\"in_place\"}", 202), "id"));
		double toTimeSeconds = BenchFiles.seconds(System.nanoTime() - started);
		String chosen = BackupBenchmark.field(toTime, "backup");
		log(String.format(Locale.ROOT, "restore to %s done in %.1f s: %s", at, toTimeSeconds, toTime));
		started = System.nanoTime();
		coffer.awaitDone(path + "/" + BackupBenchmark.field(
				coffer.call("POST", path, "{\"backup\":\"" + chosen + "\",\"target\":\"in_place\"}", 202), "id"));
		double wholeSeconds = BenchFiles.seconds(System.nanoTime() - started);
		line("### Restore to a time against restore of the base backup");
		line("");
		line("One database of %d keys of 1 KiB (a backup, then its archiver), a minute of %d SET/s on it; "
				+ "`recoverable_to` seen past the end of the writes %.0f s after it (the overhead stage ran between). Both in place, each to `done`:",
				RESTORE_KEYS, this.options.writesPerSecond, waited);
		line("");
		line("| | time | |");
		line("|---|---:|---|");
		line("| `POST /restores {\"at\": <end of the writes>}` | %.1f s | base %s (%s), %s commands replayed, "
				+ "%s bytes, %s segments |", toTimeSeconds, chosen, chosen.equals(backup) ? "the backup taken" : "not "
						+ "the backup taken", nullable(toTime, "replayed"),
				nullable(toTime, "replayed_bytes"), nullable(toTime, "segments"));
		line("| `POST /restores {\"backup\": <that base>}` | %.1f s | |", wholeSeconds);
		line("");
	}

	// ------------------------------------------------------------------ helpers

	/** {@code call} on every id, four at a time, each made again on an I/O error; the results in the ids' order. */
	private static List<String> forEach(List<String> ids, ScaleBenchmark.Call call) throws Exception {
		return ScaleBenchmark.fourAtATime(ids, (id) -> retried(call, id));
	}

	/**
	 * An I/O error of one call (the JDK's client reusing a connection the server has just closed as idle, say)
	 * is not what the benchmark measures; the calls made here are idempotent, so they are made again, up to
	 * three times. A Coffer that is gone fails all three.
	 */
	private static String retried(ScaleBenchmark.Call call, String id) throws Exception {
		for (int attempt = 1;; attempt++) {
			try {
				return call.on(id);
			}
			catch (java.io.IOException ex) {
				if (attempt == 3) {
					throw ex;
				}
			}
		}
	}

	/** A field of the answer, {@code "null"} when the answer leaves it out (Coffer omits null fields). */
	private static String nullable(String json, String name) {
		return json.contains("\"" + name + "\"") ? BackupBenchmark.field(json, name) : "null";
	}

	private static String pitrPath(String databaseId) {
		return "/api/v1/databases/" + databaseId + "/pitr";
	}

	private static long percentile(List<Long> sorted, int percent) {
		if (sorted.isEmpty()) {
			return -1;
		}
		return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
	}

	private void line(String format, Object... args) {
		this.report.append(String.format(Locale.ROOT, format, args)).append('\n');
	}

	private static void log(String message) {
		System.err.println("[pitr] " + message);
	}

}
