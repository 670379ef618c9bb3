package io.coffer.restore;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.coffer.redis.RedisEndpoint;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/**
 * A throw-away {@code redis-server} that a restore drill loads a backup into: its own temporary folder,
 * a free port on the loopback address, no persistence of its own ({@code --save ""},
 * {@code --appendonly no}). {@link #close()} stops it and removes its folder.
 */
final class ScratchRedis implements AutoCloseable {

	private static final String HOST = "127.0.0.1";

	private static final int START_ATTEMPTS = 3;

	private final Process process;

	private final Path dir;

	private final int port;

	private ScratchRedis(Process process, Path dir, int port) {
		this.process = process;
		this.dir = dir;
		this.port = port;
	}

	/**
	 * Starts one and waits until it answers {@code PING}.
	 * @throws ScratchUnavailableException when the binary cannot run or the server does not answer
	 */
	static ScratchRedis start(String binary, Duration timeout) {
		Path dir;
		try {
			dir = Files.createTempDirectory("coffer-drill-");
		}
		catch (IOException ex) {
			throw new ScratchUnavailableException("no temporary folder for a scratch redis-server: " + ex.getMessage(),
					ex);
		}
		ScratchUnavailableException last = null;
		for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
			int port = freePort();
			Process process;
			try {
				process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", HOST, "--dir",
						dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile",
						dir.resolve("redis.log").toString())
					.directory(dir.toFile())
					.redirectErrorStream(true)
					.redirectOutput(dir.resolve("console.log").toFile())
					.start();
			}
			catch (IOException ex) {
				deleteQuietly(dir);
				throw new ScratchUnavailableException("cannot run " + binary + " for a restore drill (set"
						+ " coffer.drill.redis-server to its path): " + ex.getMessage(), ex);
			}
			ScratchRedis scratch = new ScratchRedis(process, dir, port);
			try {
				scratch.awaitPing(timeout);
				return scratch;
			}
			catch (ScratchUnavailableException ex) {
				// another program may have taken the port between our test and Redis' bind: try another
				scratch.stop();
				last = ex;
			}
		}
		deleteQuietly(dir);
		throw last;
	}

	RedisEndpoint endpoint() {
		return new RedisEndpoint(HOST, this.port, null);
	}

	/** Has the server write its dataset ({@code SAVE}) and answers where the dump is, in its own folder. */
	Path save() {
		try (Jedis jedis = new Jedis(HOST, this.port, DefaultJedisClientConfig.builder().socketTimeoutMillis(0).build())) {
			jedis.save();
		}
		return this.dir.resolve("dump.rdb");
	}

	private void awaitPing(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		RuntimeException lastError = null;
		DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
			.connectionTimeoutMillis(1000)
			.socketTimeoutMillis(1000)
			.build();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new ScratchUnavailableException("the scratch redis-server exited with status "
						+ this.process.exitValue() + " while starting: " + logTail(), null);
			}
			try (Jedis jedis = new Jedis(HOST, this.port, config)) {
				if ("PONG".equals(jedis.ping())) {
					return;
				}
			}
			catch (RuntimeException ex) {
				lastError = ex;
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new ScratchUnavailableException("interrupted while starting a scratch redis-server", ex);
			}
		}
		throw new ScratchUnavailableException("the scratch redis-server did not answer within " + timeout.toSeconds()
				+ " s (" + ((lastError != null) ? lastError.getMessage() : "no answer") + ")", lastError);
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.dir.resolve("console.log"));
			return String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
		}
		catch (IOException ex) {
			return "(no output)";
		}
	}

	private void stop() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	@Override
	public void close() {
		stop();
		deleteQuietly(this.dir);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new ScratchUnavailableException("no free port for a scratch redis-server: " + ex.getMessage(), ex);
		}
	}

	private static void deleteQuietly(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | RuntimeException ex) {
			// litter in the temporary folder at worst
		}
	}

	/** The scratch server could not be had: the machine's problem, not the backup's. */
	static class ScratchUnavailableException extends RuntimeException {

		ScratchUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
