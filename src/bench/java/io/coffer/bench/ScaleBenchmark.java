// Longer than 400 lines because one run's steps (set-up, window, chaos, checks) share its state and read in order
package io.coffer.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.coffer.storage.EmbeddedS3Server;

/**
 * {@code scripts/bench scale}: a cluster of Coffer instances (each its own JVM) on one catalogue (a
 * PostgreSQL of the benchmark's own, with {@code pg_stat_statements}) and one S3 server, with N
 * registered databases over a few dozen {@code redis-server} processes, the nightly window shortened
 * by configuration to a few minutes; optionally one instance killed, frozen, or the catalogue's
 * PostgreSQL or the S3 server taken away in the middle of the window, or a restore and downloads run
 * during it. Measures backups per minute, due→done latency, each instance's CPU and RSS, catalogue
 * statements per backup and webhook deliveries per minute; checks that each database got exactly one
 * done backup in the window. Not a test: the suite never runs it.
 */
public final class ScaleBenchmark {

	static final String BUCKET = "coffer-bench";

	static final String CATALOGUE = "coffer";

	private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

	private final Options options;

	private ScaleBenchmark(Options options) {
		this.options = options;
	}

	/** What the command line chose. */
	record Options(Path jar, List<String> javaOptions, int instances, List<Integer> sizes, int nodes,
			Duration window, int concurrency, Duration instanceTimeout, String chaos, Path output, boolean keep) {

		int nodesFor(int databases) {
			return (this.nodes > 0) ? this.nodes : Math.max(4, Math.min(40, databases / 25));
		}

		Duration windowFor(int databases) {
			return (this.window != null) ? this.window : Duration.ofMinutes(Math.max(3, (databases + 99) / 100));
		}

	}

	public static void main(String[] args) throws Exception {
		Path jar = Path.of("target/coffer.jar");
		List<String> javaOptions = List.of();
		int instances = 2;
		List<Integer> sizes = List.of(200);
		int nodes = 0;
		Duration window = null;
		int concurrency = 2;
		Duration instanceTimeout = Duration.ofSeconds(30);
		String chaos = "none";
		Path output = null;
		boolean keep = false;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--jar" -> jar = Path.of(args[++i]);
				case "--coffer-java-opts" -> javaOptions = List.of(args[++i].trim().split("\\s+"));
				case "--instances" -> instances = Integer.parseInt(args[++i]);
				case "--databases" -> sizes = java.util.Arrays.stream(args[++i].split(","))
					.map(String::trim)
					.map(Integer::parseInt)
					.toList();
				case "--nodes" -> nodes = Integer.parseInt(args[++i]);
				case "--window" -> window = Duration.ofMinutes(Integer.parseInt(args[++i]));
				case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
				case "--instance-timeout" -> instanceTimeout = Duration.ofSeconds(Integer.parseInt(args[++i]));
				case "--chaos" -> chaos = args[++i];
				case "--output" -> output = Path.of(args[++i]);
				case "--keep" -> keep = true;
				default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --instances 2 "
						+ "--databases 200[,1000] --nodes N --window MINUTES --concurrency 2 --instance-timeout 30 "
						+ "--chaos none|kill|stop|postgres|s3|load --output FILE --keep");
			}
		}
		if (!List.of("none", "kill", "stop", "postgres", "s3", "load").contains(chaos)) {
			throw new IllegalArgumentException("--chaos is one of none, kill, stop, postgres, s3, load");
		}
		if (instances < 2 && !"none".equals(chaos) && !"load".equals(chaos)) {
			throw new IllegalArgumentException("--chaos " + chaos + " needs at least 2 instances");
		}
		Options options = new Options(jar, javaOptions, instances, sizes, nodes, window, concurrency, instanceTimeout,
				chaos, output, keep);
		ScaleBenchmark benchmark = new ScaleBenchmark(options);
		List<ScaleResult> results = new ArrayList<>();
		for (int size : sizes) {
			results.add(benchmark.run(size));
		}
		String report = ScaleResult.report(options, results);
		System.out.println(report);
		if (output != null) {
			Files.writeString(output, report);
		}
		if (results.stream().anyMatch((result) -> !result.passed())) {
			System.exit(1);
		}
	}

	private ScaleResult run(int size) throws Exception {
		Path work = Files.createTempDirectory("coffer-bench-scale");
		Duration window = this.options.windowFor(size);
		log(String.format(Locale.ROOT, "%d databases on %d instances, %d redis-server, a window of %d min, chaos %s",
				size, this.options.instances, this.options.nodesFor(size), window.toMinutes(), this.options.chaos));
		List<CofferProcess> cluster = new ArrayList<>();
		try (BenchPostgres postgres = BenchPostgres.start(CATALOGUE);
				EmbeddedS3Server s3 = new EmbeddedS3Server(work.resolve("objects"), 0, "bench", "bench-secret").start();
				ScaleFleet fleet = ScaleFleet.start(work, this.options.nodesFor(size))) {
			Path schedules = work.resolve("schedules");
			Files.createDirectories(schedules);
			// interrupted work is looked for every 15 s (every 5 min by default), in step with the short window
			Files.writeString(schedules.resolve("recover-interrupted-work.yml"),
					"job: recoverInterruptedWorkJob\ncron: \"*/15 * * * * ?\"\ntime-zone: UTC\n");
			Map<String, String> env = new TreeMap<>();
			env.put("COFFER_SCHEDULES_DIR", schedules.toString());
			env.put("COFFER_SCHEDULE_WINDOW_LENGTH", window.toSeconds() + "s");
			env.put("COFFER_HOUSEKEEPING_INSTANCE_TIMEOUT", this.options.instanceTimeout.toSeconds() + "s");
			env.put("COFFER_BACKUP_MAX_CONCURRENT", String.valueOf(this.options.concurrency));
			env.put("COFFER_WEBHOOKS_URLS", fleet.webhookUrl());
			// the usage sampler reads every database's nodes each round (3 statements a database, whatever the
			// backups do), so with its 30 s its share of "statements per backup" grows with the window's length;
			// one round at start-up (before the count is reset) keeps the check to the backups' own statements
			env.put("COFFER_STATS_SAMPLE_INTERVAL", "1h");
			// a failed periodic backup is run again after the retry backoff (1 min by default, for a window of hours);
			// shortened with the window, so that retries after an outage fit in a window of minutes
			env.put("COFFER_SCHEDULE_RETRY_BACKOFF", "10s");
			String catalogueUrl = postgres.jdbcUrl(CATALOGUE);

			// set-up: one instance, whose window is far away, registers every database
			Map<String, String> setupEnv = new TreeMap<>(env);
			setupEnv.put("COFFER_INSTANCE_ID", "bench-setup");
			setupEnv.put("COFFER_SCHEDULE_WINDOW_START", CLOCK.format(LocalTime.now(ZoneOffset.UTC).plusHours(12)));
			List<String> ids;
			String manualBackup = null;
			long setupStarted = System.nanoTime();
			Duration startup;
			try (CofferProcess setup = CofferProcess.startOn(catalogueUrl, this.options.jar, this.options.javaOptions,
					work.resolve("coffer-setup"), s3, BUCKET, setupEnv)) {
				startup = Duration.ofNanos(System.nanoTime() - setupStarted);
				log(String.format(Locale.ROOT, "set-up instance up in %d s", startup.toSeconds()));
				ids = register(setup, fleet.ports(), size, "scale");
				if ("load".equals(this.options.chaos)) {
					manualBackup = BackupBenchmark.field(setup.call("POST", "/api/v1/databases/" + ids.get(0) + "/backups",
							"", 202), "id");
					setup.awaitDone("/api/v1/databases/" + ids.get(0) + "/backups/" + manualBackup);
				}
			}
			log(String.format(Locale.ROOT, "%d databases registered; set-up took %.0f s", size,
					BenchFiles.seconds(System.nanoTime() - setupStarted)));

			// every instance of the cluster reads the keyring the set-up instance generated
			env.put("COFFER_KEYRING", work.resolve("coffer-setup").resolve("keyring").toString());
			// the cluster, whose window starts once every instance has had time to start
			// (the first instance, then the others together: on a busy machine, they take longer than the set-up one)
			Instant windowStart = Instant.now().plus(startup.multipliedBy(2).plus(startup.dividedBy(2)))
				.plusSeconds(30)
				.truncatedTo(
					java.time.temporal.ChronoUnit.SECONDS);
			env.put("COFFER_SCHEDULE_WINDOW_START", CLOCK.format(windowStart.atOffset(ZoneOffset.UTC).toLocalTime()));
			cluster.addAll(startCluster(catalogueUrl, work, s3, env));
			long untilStart = Duration.between(Instant.now(), windowStart).toMillis();
			log(String.format(Locale.ROOT, "cluster up; the window starts at %s UTC (in %d s)", env.get(
					"COFFER_SCHEDULE_WINDOW_START"), untilStart / 1000));
			if (untilStart > 0) {
				Thread.sleep(untilStart);
			}
			ScaleResult.Builder result = new ScaleResult.Builder(size, this.options.instances, window, windowStart,
					fleet.nodes(), this.options.chaos);
			try (Connection catalogue = postgres.connect(CATALOGUE)) {
				execute(catalogue, "select pg_stat_statements_reset()");
			}
			long windowNanos = System.nanoTime();
			ScaleSampler sampler = new ScaleSampler(cluster, ids).start();
			ScaleChaos chaos = new ScaleChaos(this.options, cluster, postgres, s3, ids, manualBackup, windowStart,
					window);
			Thread chaosThread = new Thread(chaos::run, "chaos");
			chaosThread.start();
			awaitWindow(postgres, size, windowStart, window, cluster);
			chaosThread.join(Duration.ofMinutes(10).toMillis());
			sampler.stop();
			// a late duplicate (an instance that comes back and commits) would show within this
			Thread.sleep(15_000);
			try (Connection catalogue = postgres.connect(CATALOGUE)) {
				result.ids(ids).backups(ScaleResult.readBackups(catalogue, windowStart, ids))
					.skips(count(catalogue, "select count(*) from backup_skips where scheduled_for >= '" + windowStart
							.minusSeconds(5) + "'"))
					.statements(ScaleResult.readStatements(catalogue));
			}
			result.webhooks(fleet.deliveriesSince(windowNanos)).sampler(sampler).chaos(chaos);
			return result.build();
		}
		finally {
			for (CofferProcess instance : cluster) {
				try {
					if (instance.isAlive()) {
						instance.freeze(false);
					}
					instance.close();
				}
				catch (Exception ex) {
					log("could not stop an instance: " + ex.getMessage());
				}
			}
			if (this.options.keep) {
				log("kept " + work);
			}
			else {
				BenchFiles.deleteTree(work, ScaleBenchmark::log);
			}
		}
	}

	/**
	 * Registers {@code size} databases named {@code <prefix>-0000}… over the redis-server on {@code ports}
	 * (password {@link ScaleFleet#REDIS_PASSWORD}), in turn; answers their ids in that order.
	 */
	static List<String> register(CofferProcess setup, List<Integer> ports, int size, String prefix)
			throws Exception {
		List<String> bodies = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			bodies.add(String.format(Locale.ROOT,
					"{\"app\":\"%s-%04d\",\"register\":{\"nodes\":[{\"host\":\"127.0.0.1\",\"port\":%d}],"
							+ "\"password\":\"%s\"}}",
					prefix, i, ports.get(i % ports.size()), ScaleFleet.REDIS_PASSWORD));
		}
		return fourAtATime(bodies,
				(body) -> BackupBenchmark.field(setup.call("POST", "/api/v1/databases", body, 201), "id"));
	}

	/** What {@link #fourAtATime} does with each input. */
	interface Call {

		String on(String input) throws Exception;

	}

	/** {@code call} on every input, four at a time; answers the results in the inputs' order. */
	static List<String> fourAtATime(List<String> inputs, Call call) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(4);
		try {
			List<Future<String>> answers = new ArrayList<>();
			for (String input : inputs) {
				answers.add(pool.submit(() -> call.on(input)));
			}
			List<String> results = new ArrayList<>();
			for (Future<String> answer : answers) {
				results.add(answer.get());
			}
			return results;
		}
		finally {
			pool.shutdown();
		}
	}

	private List<CofferProcess> startCluster(String catalogueUrl, Path work, EmbeddedS3Server s3,
			Map<String, String> env) throws Exception {
		// The first alone: at start-up each instance rewrites the triggers a changed window moves, and two
		// doing so at once collide in Quartz (see docs/BENCHMARKS.md, "Scale"); the others then find them as
		// they want them, as in a rolling restart.
		List<CofferProcess> started = new ArrayList<>();
		Map<String, String> first = new TreeMap<>(env);
		first.put("COFFER_INSTANCE_ID", "bench-1");
		started.add(CofferProcess.startOn(catalogueUrl, this.options.jar, this.options.javaOptions,
				work.resolve("coffer-1"), s3, BUCKET, first));
		ExecutorService pool = Executors.newFixedThreadPool(this.options.instances);
		try {
			List<Future<CofferProcess>> starting = new ArrayList<>();
			for (int i = 2; i <= this.options.instances; i++) {
				Map<String, String> own = new TreeMap<>(env);
				own.put("COFFER_INSTANCE_ID", "bench-" + i);
				Path dataDir = work.resolve("coffer-" + i);
				starting.add(pool.submit(() -> CofferProcess.startOn(catalogueUrl, this.options.jar,
						this.options.javaOptions, dataDir, s3, BUCKET, own)));
			}
			Exception failure = null;
			for (Future<CofferProcess> instance : starting) {
				try {
					started.add(instance.get());
				}
				catch (java.util.concurrent.ExecutionException ex) {
					failure = (Exception) ex.getCause();
				}
			}
			if (failure != null) {
				for (CofferProcess instance : started) {
					instance.close();
				}
				throw failure;
			}
			return started;
		}
		finally {
			pool.shutdown();
		}
	}

	/**
	 * Until every database has a done periodic backup of this window and none is in flight, or until the
	 * window has passed by its own length again (at least 5 minutes).
	 */
	private static void awaitWindow(BenchPostgres postgres, int size, Instant windowStart, Duration window,
			List<CofferProcess> cluster) throws InterruptedException {
		Instant deadline = windowStart.plus(window).plus(Collections.max(List.of(window, Duration.ofMinutes(5))));
		String query = "select count(distinct database_id) filter (where status = 'done'), "
				+ "count(*) filter (where status in ('scheduled', 'running')), count(*) filter (where status = 'error') "
				+ "from backups where method = 'periodic' and created_at >= '" + windowStart.minusSeconds(5) + "'";
		long lastLog = 0;
		while (Instant.now().isBefore(deadline)) {
			try (Connection catalogue = postgres.connect(CATALOGUE);
					Statement statement = catalogue.createStatement();
					ResultSet row = statement.executeQuery(query)) {
				row.next();
				long done = row.getLong(1);
				long inFlight = row.getLong(2);
				if (System.nanoTime() - lastLog > 20_000_000_000L) {
					lastLog = System.nanoTime();
					log(String.format(Locale.ROOT, "%s: %d of %d databases done, %d in flight, %d failed; alive: %d",
							CLOCK.format(LocalTime.now(ZoneOffset.UTC)), done, size, inFlight, row.getLong(3),
							cluster.stream().filter(CofferProcess::isAlive).count()));
				}
				if (done >= size && inFlight == 0) {
					return;
				}
			}
			catch (SQLException ex) {
				// the catalogue restarting (chaos postgres): asked again
			}
			Thread.sleep(2000);
		}
		log("the window's time is up before every database had its backup");
	}

	private static long count(Connection catalogue, String query) throws SQLException {
		try (Statement statement = catalogue.createStatement(); ResultSet row = statement.executeQuery(query)) {
			row.next();
			return row.getLong(1);
		}
	}

	private static void execute(Connection catalogue, String sql) throws SQLException {
		try (Statement statement = catalogue.createStatement()) {
			statement.execute(sql);
		}
	}

	static void log(String message) {
		System.out.println("-----> " + message);
	}

}
