package io.coffer.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.coffer.redis.RedisEndpoint;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * One {@code redis-server} (or {@code redis-server --sentinel}) child process with its own
 * temporary folder, configuration, log and free port on 127.0.0.1.
 * <p>
 * {@link #close()} stops the process and removes its folder; a JVM shutdown hook kills
 * whatever a failing test left behind.
 */
public final class RedisServerProcess implements AutoCloseable {

	public static final String HOST = "127.0.0.1";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

	private static final int START_ATTEMPTS = 3;

	/** Jedis has no constant for DEBUG. */
	private static final ProtocolCommand DEBUG = () -> SafeEncoder.encode("DEBUG");

	private static final Set<RedisServerProcess> running = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(RedisServerProcess::killAllLeftBehind, "redis-test-cleanup"));
	}

	private final Options options;

	private final Path dir;

	private final Path configFile;

	private final Path logFile;

	private final Path consoleFile;

	private int port;

	private Process process;

	private RedisServerProcess(Options options) throws IOException {
		this.options = options;
		this.dir = Files.createTempDirectory(options.sentinel ? "coffer-sentinel-" : "coffer-redis-");
		this.configFile = this.dir.resolve(options.sentinel ? "sentinel.conf" : "redis.conf");
		this.logFile = this.dir.resolve("redis.log");
		this.consoleFile = this.dir.resolve("console.log");
	}

	public static Options options() {
		return new Options();
	}

	/** A server without password, with the harness' defaults. */
	public static RedisServerProcess start() {
		return options().start();
	}

	public static RedisServerProcess startWithPassword(String password) {
		return options().password(password).start();
	}

	public String host() {
		return HOST;
	}

	public int port() {
		return this.port;
	}

	/** The password clients must send, or {@code null}. */
	public String password() {
		return this.options.sentinel ? null : this.options.password;
	}

	public Path dir() {
		return this.dir;
	}

	public Path logFile() {
		return this.logFile;
	}

	public boolean isSentinel() {
		return this.options.sentinel;
	}

	public String address() {
		return HOST + ":" + this.port;
	}

	public RedisEndpoint endpoint() {
		return new RedisEndpoint(HOST, this.port, password());
	}

	public synchronized boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	public synchronized long pid() {
		requireRunning();
		return this.process.pid();
	}

	/** A new connection, authenticated when the server has a password; close it after use. */
	public Jedis jedis() {
		return new Jedis(HOST, this.port, clientConfig(Duration.ofSeconds(10)));
	}

	/** The {@code INFO <section>} fields, as a map. */
	public Map<String, String> info(String section) {
		try (Jedis jedis = jedis()) {
			Map<String, String> fields = new LinkedHashMap<>();
			for (String line : jedis.info(section).split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && !line.startsWith("#")) {
					fields.put(line.substring(0, colon), line.substring(colon + 1));
				}
			}
			return fields;
		}
	}

	/** {@code DEBUG DIGEST}: equal digests mean equal datasets. */
	public String digest() {
		try (Jedis jedis = jedis()) {
			return SafeEncoder.encode((byte[]) jedis.sendCommand(DEBUG, "DIGEST"));
		}
	}

	/** {@code DEBUG POPULATE count prefix size}: fills the current database quickly. */
	public void populate(int count, String prefix, int valueSize) {
		try (Jedis jedis = jedis()) {
			jedis.sendCommand(DEBUG, "POPULATE", String.valueOf(count), prefix, String.valueOf(valueSize));
		}
	}

	/** Kills the process with SIGKILL, as a crash would; {@link #restart()} brings it back. */
	public synchronized void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
			waitForExit(this.process);
			running.remove(this);
		}
	}

	/** Stops the process with SIGTERM (Redis' orderly shutdown), SIGKILL if it hangs. */
	public synchronized void stop() {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroy();
			try {
				if (!this.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
					this.process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
			waitForExit(this.process);
		}
		running.remove(this);
	}

	/** Suspends the process with SIGSTOP: it keeps its connections open but answers nothing. */
	public void freeze() {
		signal("STOP");
	}

	/** Resumes a {@link #freeze() frozen} process with SIGCONT. */
	public void thaw() {
		signal("CONT");
	}

	private void signal(String name) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start();
			if (!kill.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("cannot send SIG" + name + " to " + this);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	/** Starts the process again on the same port, folder and configuration file. */
	public synchronized void restart() {
		stop();
		launchAndAwaitPing();
	}

	@Override
	public synchronized void close() {
		stop();
		deleteRecursively(this.dir);
	}

	/** The last lines of the Redis log and of the process' console output. */
	public String logTail(int lines) {
		return tail(this.logFile, lines) + tail(this.consoleFile, lines);
	}

	@Override
	public String toString() {
		return (this.options.sentinel ? "sentinel " : "redis ") + address();
	}

	private RedisServerProcess startFirstTime() {
		IllegalStateException lastFailure = null;
		for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
			this.port = FreePorts.next();
			writeConfig();
			try {
				launchAndAwaitPing();
				return this;
			}
			catch (IllegalStateException ex) {
				lastFailure = ex;
				stop();
				// another program may have taken the port between our bind test and Redis' bind
				if (!logTail(50).contains("Address already in use")) {
					break;
				}
			}
		}
		deleteRecursively(this.dir);
		throw lastFailure;
	}

	private void writeConfig() {
		List<String> lines = new ArrayList<>();
		lines.add("port " + this.port);
		lines.add("bind " + HOST);
		lines.add("daemonize no");
		lines.add("dir " + this.dir);
		lines.add("logfile " + this.logFile);
		if (!this.options.sentinel) {
			lines.add("save \"" + this.options.save + "\"");
			lines.add("appendonly no");
			// DEBUG DIGEST and DEBUG POPULATE let tests compare and fill datasets
			lines.add("enable-debug-command local");
			if (this.options.password != null) {
				lines.add("requirepass " + this.options.password);
				lines.add("masterauth " + this.options.password);
			}
			if (this.options.replicaOf != null) {
				lines.add("replicaof " + this.options.replicaOf);
			}
		}
		this.options.settings.forEach((key, value) -> lines.add(key + " " + value));
		lines.addAll(this.options.extraLines);
		try {
			Files.write(this.configFile, lines, StandardCharsets.UTF_8);
			if (this.options.initialData != null) {
				Files.copy(this.options.initialData, this.dir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private synchronized void launchAndAwaitPing() {
		List<String> command = new ArrayList<>(List.of(this.options.server, this.configFile.toString()));
		if (this.options.sentinel) {
			command.add("--sentinel");
		}
		try {
			this.process = new ProcessBuilder(command).directory(this.dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.consoleFile.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run redis-server (is it on the PATH?): " + ex.getMessage(), ex);
		}
		running.add(this);
		awaitPing();
	}

	private void awaitPing() {
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		Exception lastError = null;
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(this + " exited with status " + this.process.exitValue()
						+ " while starting; log tail:\n" + logTail(20));
			}
			try (Jedis jedis = new Jedis(HOST, this.port, clientConfig(Duration.ofSeconds(1)))) {
				if ("PONG".equals(jedis.ping())) {
					return;
				}
			}
			catch (RuntimeException ex) {
				lastError = ex; // not listening yet, or still loading its data
			}
			pause(Duration.ofMillis(20));
		}
		throw new IllegalStateException(this + " did not answer PING within " + START_TIMEOUT.toSeconds()
				+ " s (last error: " + lastError + "); log tail:\n" + logTail(20));
	}

	private JedisClientConfig clientConfig(Duration socketTimeout) {
		return DefaultJedisClientConfig.builder()
			.password(password())
			.connectionTimeoutMillis(1000)
			.socketTimeoutMillis((int) socketTimeout.toMillis())
			.build();
	}

	private void requireRunning() {
		if (!isRunning()) {
			throw new IllegalStateException(this + " is not running");
		}
	}

	private static void waitForExit(Process process) {
		try {
			if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("redis-server pid " + process.pid() + " did not exit after SIGKILL");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	private static String tail(Path file, int lines) {
		if (!Files.isRegularFile(file)) {
			return "";
		}
		try {
			List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
			List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
			return last.isEmpty() ? "" : "--- " + file.getFileName() + "\n" + String.join("\n", last) + "\n";
		}
		catch (IOException | UncheckedIOException ex) {
			return "(cannot read " + file + ": " + ex.getMessage() + ")\n";
		}
	}

	private static void deleteRecursively(Path root) {
		if (!Files.exists(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			// a test may have removed part of the folder itself; what is left is only litter in /tmp
		}
	}

	private static void killAllLeftBehind() {
		for (RedisServerProcess server : List.copyOf(running)) {
			Process process = server.process;
			if (process != null) {
				process.destroyForcibly();
			}
			deleteRecursively(server.dir);
		}
	}

	/** How to configure a server before starting it. */
	public static final class Options {

		private String password;

		private String replicaOf;

		private String save = "";

		private boolean sentinel;

		private Path initialData;

		private String server = "redis-server";

		private final Map<String, String> settings = new LinkedHashMap<>();

		private final List<String> extraLines = new ArrayList<>();

		private Options() {
		}

		/** The program to run: {@code redis-server} unless told, {@code valkey-server} for Valkey. */
		public Options server(String program) {
			this.server = program;
			return this;
		}

		/** {@code requirepass} and {@code masterauth}, or, for a sentinel, nothing. */
		public Options password(String password) {
			this.password = password;
			return this;
		}

		public Options replicaOf(RedisServerProcess primary) {
			this.replicaOf = primary.host() + " " + primary.port();
			return this;
		}

		/** Snapshot points, e.g. {@code "3600 1"}; none unless asked. */
		public Options save(String savePoints) {
			this.save = savePoints;
			return this;
		}

		/** Any configuration directive, e.g. {@code set("repl-diskless-sync", "yes")}. */
		public Options set(String directive, String value) {
			this.settings.put(directive, value);
			return this;
		}

		/** An RDB file the server loads at start, e.g. to check what a backup holds. */
		public Options loading(Path rdbFile) {
			this.initialData = rdbFile;
			return this;
		}

		/** Runs as {@code redis-server --sentinel} with these configuration lines. */
		public Options sentinel(List<String> sentinelLines) {
			this.sentinel = true;
			this.extraLines.addAll(sentinelLines);
			return this;
		}

		public RedisServerProcess start() {
			try {
				return new RedisServerProcess(this).startFirstTime();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot create a folder for redis-server", ex);
			}
		}

	}

}
