package io.coffer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** What every benchmark does with time and with its working folder. */
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

}
