package io.coffer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/** What every benchmark does with time, with its working folder and with the redis-server it starts. */
final class BenchFiles {

	private BenchFiles() {
	}

	static double seconds(long nanos) {
		return nanos / 1e9;
	}

	/** Deletes {@code folder} and everything in it; what cannot be removed is told to {@code log}. */
	static void deleteTree(Path folder, Consumer<String> log) {
		try (Stream<Path> paths = Files.walk(folder)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			log.accept("could not remove " + folder + ": " + ex.getMessage());
		}
	}

	/**
	 * Writes a dataset through a pipeline to the redis-server just started on {@code port}, trying again
	 * for up to 30 s while it does not answer yet; {@code write} syncs the pipeline as often as it likes.
	 */
	static void fillRedis(int port, String password, Consumer<Pipeline> write) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (true) {
			try (Jedis jedis = new Jedis("127.0.0.1", port)) {
				jedis.auth(password);
				Pipeline pipeline = jedis.pipelined();
				write.accept(pipeline);
				pipeline.sync();
				return;
			}
			catch (RuntimeException ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				Thread.sleep(100);
			}
		}
	}

}
