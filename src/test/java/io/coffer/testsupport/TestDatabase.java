package io.coffer.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A fresh, empty PostgreSQL database for this test run: created on the machine's server at
 * 127.0.0.1:5432 when it answers, else on an embedded PostgreSQL. Dropped when the JVM exits.
 */
public final class TestDatabase {

	private static final String LOCAL_SERVER = "jdbc:postgresql://127.0.0.1:5432/";

	private static volatile TestDatabase instance;

	private final String jdbcUrl;

	private final String username;

	private TestDatabase(String jdbcUrl, String username) {
		this.jdbcUrl = jdbcUrl;
		this.username = username;
	}

	public static synchronized TestDatabase get() {
		if (instance == null) {
			instance = create();
		}
		return instance;
	}

	public String jdbcUrl() {
		return this.jdbcUrl;
	}

	public String username() {
		return this.username;
	}

	public Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.username, "");
	}

	/** Another empty database on the same server, for tests that need a catalogue of their own. */
	public TestDatabase sibling() {
		String name = newName();
		String serverUrl = this.jdbcUrl.substring(0, this.jdbcUrl.lastIndexOf('/') + 1);
		createDatabase(serverUrl, this.username, name);
		return new TestDatabase(serverUrl + name, this.username);
	}

	private static TestDatabase create() {
		String name = newName();
		if (createDatabase(LOCAL_SERVER, "postgres", name)) {
			return new TestDatabase(LOCAL_SERVER + name, "postgres");
		}
		try {
			EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					embedded.close();
				}
				catch (IOException ex) {
					// the JVM is exiting
				}
			}));
			String serverUrl = embedded.getJdbcUrl("postgres", "postgres");
			serverUrl = serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1);
			createDatabase(serverUrl, "postgres", name);
			return new TestDatabase(serverUrl + name, "postgres");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("no PostgreSQL at 127.0.0.1:5432 and the embedded one did not start", ex);
		}
	}

	private static String newName() {
		return "coffer_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
	}

	private static boolean createDatabase(String serverUrl, String username, String name) {
		try (Connection connection = DriverManager.getConnection(serverUrl + "postgres", username, "");
				Statement statement = connection.createStatement()) {
			statement.execute("create database " + name);
			Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(serverUrl, username, name)));
			return true;
		}
		catch (SQLException ex) {
			return false;
		}
	}

	private static void drop(String serverUrl, String username, String name) {
		try (Connection connection = DriverManager.getConnection(serverUrl + "postgres", username, "");
				Statement statement = connection.createStatement()) {
			statement.execute("drop database if exists " + name + " with (force)");
		}
		catch (SQLException ex) {
			// best effort: a leftover test database is harmless and named as such
		}
	}

}
