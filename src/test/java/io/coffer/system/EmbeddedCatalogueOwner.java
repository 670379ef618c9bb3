package io.coffer.system;

import io.coffer.catalog.DatabaseConfiguration;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A JVM that starts the embedded catalogue as Coffer does, commits a row, says {@code ready} and waits
 * to be killed: what a Coffer killed with kill -9 leaves behind.
 */
final class EmbeddedCatalogueOwner {

	private EmbeddedCatalogueOwner() {
	}

	public static void main(String[] args) throws Exception {
		EmbeddedPostgres postgres = DatabaseConfiguration.startEmbedded(Path.of(args[0]));
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("create table committed_before_the_kill (id integer)");
			statement.execute("insert into committed_before_the_kill values (1)");
		}
		System.out.println("ready");
		System.out.flush();
		// until the test kills this JVM
		System.in.read();
	}

}
