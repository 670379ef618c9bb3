package io.coffer.node;

import static io.coffer.node.ProcessNodeDriver.describe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.coffer.catalog.ManagedNode;
import io.coffer.system.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders of the nodes the {@link ProcessNodeDriver} and the {@link DockerNodeDriver} run,
 * {@code <data-dir>/nodes/<database>/<node>/}: the configuration and TLS files written there, readable by
 * their owner only as they hold the database's password and key, the logs that explain a start that failed,
 * and the folder's removal with its node.
 */
final class NodeFolders {

	private static final Logger log = LoggerFactory.getLogger(NodeFolders.class);

	private final Path nodesDir;

	NodeFolders(Path nodesDir) {
		this.nodesDir = nodesDir;
	}

	Path dir(String databaseId, String name) {
		return this.nodesDir.resolve(databaseId).resolve(name);
	}

	/**
	 * Writes the files a node serves TLS with into {@code tls/} of its folder, each readable by its owner
	 * only. HAProxy passes TLS through and only verifies the nodes: it gets the CA's certificate alone, so
	 * that the database's key is in no more folders than it must be.
	 */
	void writeTlsFiles(ManagedNode node, NodeTls tls) {
		Path dir = Path.of(node.driverData().dir()).resolve(NodeConfigFiles.TLS_DIR);
		try {
			PrivateFiles.folders(this.nodesDir, dir);
			PrivateFiles.write(dir.resolve(NodeConfigFiles.TLS_CA_FILE), tls.authorityCertificate());
			if (ManagedNode.DriverData.HAPROXY.equals(node.kind())) {
				return;
			}
			PrivateFiles.write(dir.resolve(NodeConfigFiles.TLS_CERT_FILE), tls.certificate());
			PrivateFiles.write(dir.resolve(NodeConfigFiles.TLS_KEY_FILE), tls.privateKey());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the TLS files of " + describe(node) + " in " + dir, ex);
		}
	}

	/**
	 * Makes the node's folder (and the folders above it, up to the nodes' folder) and every file in it
	 * readable by the owner only: for nodes written by an older version, or whose process, started
	 * before nodes ran with a private umask, loosened its files since ({@code CONFIG REWRITE} gives the
	 * rewritten file the process's default mode).
	 */
	void tighten(ManagedNode node) {
		Path dir = Path.of(node.driverData().dir());
		if (!Files.isDirectory(dir)) {
			return;
		}
		try {
			PrivateFiles.folders(this.nodesDir, dir);
			PrivateFiles.tighten(dir);
		}
		catch (IOException | UncheckedIOException ex) {
			log.warn("Could not make the files of {} private to their owner: {}", describe(node), ex.getMessage());
		}
	}

	/** The node's configuration file, as the process running from it reports it. */
	Path configFile(ManagedNode node) {
		return Path.of(node.driverData().dir()).resolve(NodeConfigFiles.fileName(node.kind())).normalize();
	}

	void writeConfig(ManagedNode node, NodeSetup setup, Path dir) {
		writeConfig(node, setup, dir, dir);
	}

	/**
	 * Writes the node's configuration into {@code dir}, naming its files as the program sees them: in
	 * {@code seenAs}, the folder's path inside a container.
	 */
	void writeConfig(ManagedNode node, NodeSetup setup, Path dir, Path seenAs) {
		if (setup.tls() != null) {
			writeTlsFiles(node, setup.tls());
		}
		try {
			// the files hold the database's password: owner only, in folders of the owner only
			PrivateFiles.folders(this.nodesDir, dir);
			PrivateFiles.write(configFile(node), NodeConfigFiles.render(setup, node.host(), node.port(), seenAs));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the configuration of " + describe(node) + " in " + dir, ex);
		}
	}

	/**
	 * Adds the settings that make a sentinel listen with TLS only, or in plain text again, at the end of its
	 * configuration, where the last word on a setting wins; its files named as seen in {@code seenAs}.
	 */
	void appendListening(ManagedNode node, Path seenAs, boolean tls) {
		List<String> lines = new ArrayList<>();
		lines.add("# Added by Coffer: TLS " + (tls ? "forced" : "no longer forced"));
		lines.addAll(NodeConfigFiles.listening(node.port(), seenAs, tls));
		appendToConfig(node, lines);
	}

	/** Adds lines at the end of the node's configuration, where the last word on a setting wins. */
	private void appendToConfig(ManagedNode node, List<String> lines) {
		try {
			PrivateFiles.append(configFile(node), "\n" + String.join("\n", lines) + "\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot change the configuration of " + describe(node), ex);
		}
	}

	/** Deletes the node's folder, and its database's folder once the last node of the database is gone. */
	void remove(ManagedNode node) {
		Path dir = Path.of(node.driverData().dir());
		deleteRecursively(dir);
		try {
			Files.deleteIfExists(dir.getParent());
		}
		catch (IOException ex) {
			// other nodes of the database are still there; the last one removed takes the folder
		}
	}

	/** The last lines of the node's logs and console, to say why it did not start. */
	String logTail(ManagedNode node) {
		Path dir = Path.of(node.driverData().dir());
		StringBuilder tail = new StringBuilder();
		for (String name : List.of("redis.log", "sentinel.log", "console.log")) {
			Path file = dir.resolve(name);
			if (Files.isRegularFile(file)) {
				try {
					List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
					lines.subList(Math.max(0, lines.size() - 5), lines.size()).forEach((line) -> tail.append(line.strip()).append(" | "));
				}
				catch (IOException | UncheckedIOException ex) {
					// the log is only there to explain; without it the status says enough
				}
			}
		}
		return (tail.length() > 0) ? "its log ends with: " + tail : "it wrote no log";
	}

	private static void deleteRecursively(Path root) {
		if (!Files.exists(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot remove " + root, ex);
		}
	}

}
