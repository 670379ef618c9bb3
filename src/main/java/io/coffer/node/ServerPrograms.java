package io.coffer.node;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Which server program runs a data node of the process driver. {@code engine/} decides it from its
 * catalogue and implements this: the driver is handed the engine as an answer, and does not import the
 * capability above it that knows the engines.
 */
public interface ServerPrograms {

	/** Gives a new database the catalogue's default version, unless it has one. */
	void chooseFor(String databaseId);

	/**
	 * The program for the node.
	 * @throws IllegalStateException when its version is no longer in the catalogue
	 */
	String redisServer(String databaseId, String nodeName);

	/** Whether the program is an executable file, as a path or found on the PATH. */
	static boolean isInstalled(String program) {
		if (program.contains(File.separator)) {
			return Files.isExecutable(Path.of(program));
		}
		String path = System.getenv("PATH");
		return path != null && Stream.of(path.split(File.pathSeparator))
			.anyMatch((folder) -> !folder.isEmpty() && Files.isExecutable(Path.of(folder, program)));
	}

}
