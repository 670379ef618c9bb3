package io.coffer.testsupport;

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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.coffer.CofferApplication;

/**
 * One instance of Coffer as its own JVM, started from the classes this build compiled (the test's class
 * path), so that a test can end it the way a machine does: {@code kill -9}, {@code SIGSTOP} and
 * {@code SIGCONT} by its pid. Its settings go in through the environment ({@code SPRING_APPLICATION_JSON}),
 * never its arguments, which every user of the host can read; its output goes to its own log file.
 */
public final class CofferJvm implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

	private final String name;

	private final Process process;

	private final int port;

	private final Path logFile;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private CofferJvm(String name, Process process, int port, Path logFile) {
		this.name = name;
		this.process = process;
		this.port = port;
		this.logFile = logFile;
	}

	/**
	 * Starts the instance and returns at once; {@link #awaitHealthy} waits for it.
	 * @param settings Spring properties ({@code coffer.s3.endpoint} …), given to it as JSON in its environment
	 */
	public static CofferJvm start(String name, Path logFolder, Map<String, String> settings) throws IOException {
		Files.createDirectories(logFolder);
		Path logFile = logFolder.resolve(name + ".log");
		int port = FreePorts.next();
		Map<String, String> all = new TreeMap<>(settings);
		all.put("server.port", String.valueOf(port));
		all.put("server.address", "127.0.0.1");
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx256m");
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-XX:+UseSerialGC");
		command.add("-cp");
		command.add(productionClassPath());
		command.add(CofferApplication.class.getName());
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(logFile.toFile());
		builder.environment().put("SPRING_APPLICATION_JSON", json(all));
		return new CofferJvm(name, builder.start(), port, logFile);
	}

	public String name() {
		return this.name;
	}

	public long pid() {
		return this.process.pid();
	}

	public int port() {
		return this.port;
	}

	public Path logFile() {
		return this.logFile;
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	public ApiClient api(String token) {
		return new ApiClient(this.port, token);
	}

	/** Waits until its health endpoint answers UP; fails with the end of its log if it exits or is late. */
	public void awaitHealthy() throws InterruptedException {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this.name + " exited while starting:\n" + logTail(60));
			}
			try {
				HttpResponse<String> health = this.http.send(
						HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health"))
							.timeout(Duration.ofSeconds(2))
							.build(),
						HttpResponse.BodyHandlers.ofString());
				if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(200);
		}
		throw new IllegalStateException(this.name + " was not healthy within " + START_TIMEOUT + ":\n" + logTail(60));
	}

	/** {@code kill -9}: no shutdown hook, nothing flushed, its rows and uploads left as they are. */
	public void kill() throws InterruptedException {
		signal("KILL");
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	/** {@code SIGSTOP}: every thread frozen, its sockets left open, as in a long pause or a lost network. */
	public void freeze() {
		signal("STOP");
	}

	/** {@code SIGCONT}: a frozen instance resumes where it stood. */
	public void resume() {
		signal("CONT");
	}

	private void signal(String name) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start();
			if (kill.waitFor() != 0) {
				throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("kill -" + name + " " + pid() + " failed: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The last lines of its log, for a failure's message. */
	public String logTail(int lines) {
		try {
			List<String> all = Files.readAllLines(this.logFile);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	/** Its whole log. */
	public String log() {
		try {
			return Files.readString(this.logFile);
		}
		catch (IOException ex) {
			return "";
		}
	}

	/** Stops it as an operator would (SIGTERM), killing it if it takes longer than 30 s. */
	@Override
	public void close() {
		if (!this.process.isAlive()) {
			return;
		}
		resume();
		this.process.destroy();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The test's class path without the test classes: the tests' own configurations must not be found by the
	 * instance's component scan.
	 */
	private static String productionClassPath() {
		return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
			.filter((entry) -> !Path.of(entry).endsWith("test-classes"))
			.collect(Collectors.joining(java.io.File.pathSeparator));
	}

	private static String json(Map<String, String> settings) {
		return settings.entrySet()
			.stream()
			.map((entry) -> quote(entry.getKey()) + ": " + quote(entry.getValue()))
			.collect(Collectors.joining(", ", "{", "}"));
	}

	private static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				case '\n' -> quoted.append("\\n");
				default -> {
					if (c < 0x20) {
						quoted.append(String.format("\\u%04x", (int) c));
					}
					else {
						quoted.append(c);
					}
				}
			}
		}
		return quoted.append('"').toString();
	}

}
