package io.coffer.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What an RDB holds, learned the only trustworthy way: by loading it into a fresh redis-server. */
public final class RdbFiles {

	private RdbFiles() {
	}

	/** {@code DEBUG DIGEST} of a server that loaded {@code rdb}. */
	public static String digestOf(byte[] rdb) throws IOException {
		Path file = Files.createTempFile("coffer-", ".rdb");
		try {
			Files.write(file, rdb);
			return digestOf(file);
		}
		finally {
			Files.deleteIfExists(file);
		}
	}

	public static String digestOf(Path rdb) {
		try (RedisServerProcess server = RedisServerProcess.options().loading(rdb).start()) {
			return server.digest();
		}
	}

	/** Runs {@code redis-cli --rdb} against {@code server}, the reference our stream mode mirrors. */
	public static Path redisCliRdb(RedisServerProcess server, Path target) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("redis-cli", "-h", server.host(), "-p", String.valueOf(server.port())));
		if (server.password() != null) {
			command.addAll(List.of("-a", server.password(), "--no-auth-warning"));
		}
		command.addAll(List.of("--rdb", target.toString()));
		Path output = Files.createTempFile("coffer-redis-cli-", ".log");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("redis-cli --rdb did not finish within 60 s");
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException("redis-cli --rdb failed: " + Files.readString(output));
			}
			return target;
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

}
