package io.coffer.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.coffer.storage.EmbeddedS3Server;

/**
 * Coffer as a benchmark runs it: its own JVM ({@code java -jar}), a fresh catalogue database on the
 * machine's PostgreSQL (its embedded one when none answers), objects in the benchmark's S3 server, a
 * known operator token.
 */
final class CofferProcess implements AutoCloseable {

	static final String ADMIN_TOKEN = "bench";

	private static final String PG_SERVER = "jdbc:postgresql://127.0.0.1:5432/";

	private final Process process;

	private final String base;

	private final Path logFile;

	private final String pgName;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private CofferProcess(Process process, String base, Path logFile, String pgName) {
		this.process = process;
		this.base = base;
		this.logFile = logFile;
		this.pgName = pgName;
	}

	static CofferProcess start(Path jar, List<String> javaOptions, Path dataDir, EmbeddedS3Server s3, String bucket,
			Map<String, String> extraEnv) throws Exception {
		String pgName = BackupBenchmark.createPostgresDatabase();
		return start(jar, javaOptions, dataDir, s3, bucket, (pgName != null) ? PG_SERVER + pgName : null, pgName,
				extraEnv);
	}

	/**
	 * Starts Coffer on the catalogue at {@code catalogueUrl} (user postgres, no password), which it may
	 * share with other instances of a cluster; the catalogue is left as it is when the process ends.
	 */
	static CofferProcess startOn(String catalogueUrl, Path jar, List<String> javaOptions, Path dataDir,
			EmbeddedS3Server s3, String bucket, Map<String, String> extraEnv) throws Exception {
		return start(jar, javaOptions, dataDir, s3, bucket, catalogueUrl, null, extraEnv);
	}

	private static CofferProcess start(Path jar, List<String> javaOptions, Path dataDir, EmbeddedS3Server s3,
			String bucket, String catalogueUrl, String pgName, Map<String, String> extraEnv) throws Exception {
		Files.createDirectories(dataDir);
		Path logFile = dataDir.resolve("coffer.log");
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(javaOptions);
		command.add("-jar");
		command.add(jar.toAbsolutePath().toString());
		ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(logFile.toFile());
		Map<String, String> env = builder.environment();
		env.put("COFFER_DATA_DIR", dataDir.toString());
		env.put("COFFER_S3_ENDPOINT", s3.endpoint());
		env.put("COFFER_S3_ACCESS_KEY", s3.accessKey());
		env.put("COFFER_S3_SECRET_KEY", s3.secretKey());
		env.put("COFFER_S3_BUCKET", bucket);
		if (catalogueUrl != null) {
			env.put("COFFER_DATABASE_URL", catalogueUrl);
			env.put("COFFER_DATABASE_USERNAME", "postgres");
		}
		env.put("COFFER_ADMIN_TOKEN", ADMIN_TOKEN);
		env.put("SERVER_PORT", String.valueOf(port));
		env.putAll(extraEnv);
		CofferProcess coffer = new CofferProcess(builder.start(), "http://127.0.0.1:" + port, logFile, pgName);
		try {
			coffer.awaitHealthy();
		}
		catch (Exception ex) {
			coffer.close();
			throw ex;
		}
		return coffer;
	}

	static int freePort() throws IOException {
		return BackupBenchmark.freePort();
	}

	String base() {
		return this.base;
	}

	long pid() {
		return this.process.pid();
	}

	Path logFile() {
		return this.logFile;
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	/** {@code kill -9}: the process dies at once, with no shutdown of any kind. */
	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor();
	}

	/** Sends {@code SIGSTOP} ({@code true}) or {@code SIGCONT} ({@code false}). */
	void freeze(boolean frozen) throws IOException, InterruptedException {
		int exit = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", String.valueOf(pid())).inheritIO()
			.start()
			.waitFor();
		if (exit != 0) {
			throw new IllegalStateException("kill " + (frozen ? "-STOP " : "-CONT ") + pid() + " failed");
		}
	}

	/**
	 * Polls a backup or restore at {@code path} every 50 ms until it is {@code done}; answers its last view.
	 * @throws IllegalStateException when it ends in error or Coffer exits, with the end of Coffer's log
	 */
	String awaitDone(String path) throws Exception {
		while (true) {
			String view = call("GET", path, null, 200);
			String status = BackupBenchmark.field(view, "status");
			if ("done".equals(status)) {
				return view;
			}
			if ("error".equals(status)) {
				throw new IllegalStateException(path + " failed: " + view + "\n" + logTail());
			}
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Coffer exited during " + path + "\n" + logTail());
			}
			Thread.sleep(50);
		}
	}

	/** Calls the API as the operator; fails unless the answer has the expected status. */
	String call(String method, String path, String body, int expectedStatus) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + ADMIN_TOKEN);
		if (body != null) {
			request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
		}
		else {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != expectedStatus) {
			throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
					+ response.body() + "\n" + logTail());
		}
		return response.body();
	}

	/** The heap in use now, from the Prometheus endpoint (bytes). */
	long heapUsed() throws IOException, InterruptedException {
		String metrics = this.http.send(HttpRequest.newBuilder(URI.create(this.base + "/actuator/prometheus"))
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.build(),
				HttpResponse.BodyHandlers.ofString()).body();
		return BackupBenchmark.sumMetric(metrics, "jvm_memory_used_bytes");
	}

	/** A field of /proc/<pid>/status, in kB (VmRSS, VmHWM). */
	long procStatusKb(String field) {
		return BackupBenchmark.procStatus(pid(), field);
	}

	/** A JVM start on a shared machine at a load of 40 and more took over 3 minutes. */
	private static final int STARTUP_LIMIT_SECONDS = 600;

	private void awaitHealthy() throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STARTUP_LIMIT_SECONDS);
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("Coffer exited while starting:\n" + logTail());
			}
			try {
				HttpResponse<String> health = this.http.send(
						HttpRequest.newBuilder(URI.create(this.base + "/actuator/health")).timeout(Duration.ofSeconds(5)).build(),
						HttpResponse.BodyHandlers.ofString());
				if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(250);
		}
		throw new IllegalStateException("Coffer did not become healthy within " + STARTUP_LIMIT_SECONDS + " s:\n" + logTail());
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.logFile);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	@Override
	public void close() throws Exception {
		this.process.destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor();
		}
		if (this.pgName != null) {
			BackupBenchmark.dropPostgresDatabase(this.pgName);
		}
	}

}
