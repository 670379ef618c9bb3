package io.coffer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of the benchmark's own ({@code initdb} and {@code pg_ctl} of the installed
 * PostgreSQL, on a free loopback port, trust authentication), so that it can be restarted mid-run
 * without disturbing anything else on the machine, and with {@code pg_stat_statements} loaded so that
 * the catalogue's statements can be counted. Run as the {@code postgres} user when the benchmark runs
 * as root (PostgreSQL refuses to run as root).
 */
final class BenchPostgres implements AutoCloseable {

	private final Path bin;

	private final Path dataDir;

	private final int port;

	private final boolean asPostgresUser;

	private BenchPostgres(Path bin, Path dataDir, int port, boolean asPostgresUser) {
		this.bin = bin;
		this.dataDir = dataDir;
		this.port = port;
		this.asPostgresUser = asPostgresUser;
	}

	/**
	 * Makes a new cluster in a temporary folder of its own (owned by {@code postgres} when run as root,
	 * the benchmark's folder staying owner-only), starts it and creates the database {@code name}.
	 */
	static BenchPostgres start(String name) throws Exception {
		Path bin = findBin();
		boolean root = "root".equals(System.getProperty("user.name"));
		Path folder = Files.createTempDirectory("coffer-bench-pg");
		Path dataDir = folder.resolve("pgdata");
		if (root) {
			run(List.of("chown", "postgres", folder.toString()), folder);
		}
		BenchPostgres postgres = new BenchPostgres(bin, dataDir, CofferProcess.freePort(), root);
		postgres.pg(List.of("initdb", "-D", dataDir.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
				"--no-sync"));
		Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n",
				"listen_addresses = '127.0.0.1'", "port = " + postgres.port, "unix_socket_directories = ''",
				"max_connections = 200", "shared_preload_libraries = 'pg_stat_statements'",
				"pg_stat_statements.max = 10000", "fsync = off", "synchronous_commit = off", ""),
				java.nio.file.StandardOpenOption.APPEND);
		postgres.pgCtl("start");
		try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute("create database " + name);
			// the benchmark's own statements are told from Coffer's (user postgres) by their user
			statement.execute("create role bench login superuser");
		}
		try (Connection connection = postgres.connect(name); Statement statement = connection.createStatement()) {
			statement.execute("create extension pg_stat_statements");
		}
		return postgres;
	}

	String jdbcUrl(String database) {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database;
	}

	/** A connection as the benchmark's own user, {@code bench}, whose statements are not Coffer's. */
	Connection connect(String database) throws SQLException {
		return DriverManager.getConnection(jdbcUrl(database), "bench", "");
	}

	/** A fast restart: every client's connection is cut, as when the catalogue's server is restarted. */
	void restart() throws Exception {
		pg(List.of("pg_ctl", "-D", this.dataDir.toString(), "-m", "fast", "-w", "-t", "60", "restart", "-l",
				this.dataDir.resolveSibling("postgres.log").toString()));
	}

	private void pgCtl(String action) throws Exception {
		pg(List.of("pg_ctl", "-D", this.dataDir.toString(), "-m", "fast", "-w", "-t", "60", "-l",
				this.dataDir.resolveSibling("postgres.log").toString(), action));
	}

	private void pg(List<String> command) throws Exception {
		List<String> full = new ArrayList<>();
		if (this.asPostgresUser) {
			full.addAll(List.of("runuser", "-u", "postgres", "--"));
		}
		full.add(this.bin.resolve(command.get(0)).toString());
		full.addAll(command.subList(1, command.size()));
		run(full, this.dataDir.getParent());
	}

	private static void run(List<String> command, Path folder) throws Exception {
		Path log = Files.createTempFile("coffer-bench-pg", ".log");
		try {
			Process process = new ProcessBuilder(command).directory(folder.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
			}
		}
		finally {
			Files.deleteIfExists(log);
		}
	}

	private static Path findBin() throws IOException {
		try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
			return versions.map((version) -> version.resolve("bin"))
				.filter((bin) -> Files.isExecutable(bin.resolve("pg_ctl")))
				.max(Path::compareTo)
				.orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries under /usr/lib/postgresql"));
		}
	}

	@Override
	public void close() throws Exception {
		try {
			pgCtl("stop");
		}
		finally {
			BenchFiles.deleteTree(this.dataDir.getParent(), System.err::println);
		}
	}

}
