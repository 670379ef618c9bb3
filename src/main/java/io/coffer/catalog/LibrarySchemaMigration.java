package io.coffer.catalog;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * Creates the tables of a library (Spring Batch, Quartz) from the schema script that the library
 * ships, so that the catalogue's migrations own every table and the libraries' versions decide
 * their own columns.
 */
final class LibrarySchemaMigration implements JavaMigration {

	private final MigrationVersion version;

	private final String description;

	private final String script;

	LibrarySchemaMigration(String version, String description, String script) {
		this.version = MigrationVersion.fromVersion(version);
		this.description = description;
		this.script = script;
	}

	@Override
	public MigrationVersion getVersion() {
		return this.version;
	}

	@Override
	public String getDescription() {
		return this.description;
	}

	@Override
	public Integer getChecksum() {
		return null;
	}

	@Override
	public boolean canExecuteInTransaction() {
		return true;
	}

	@Override
	public void migrate(Context context) {
		ResourceDatabasePopulator populator = new ResourceDatabasePopulator(new ClassPathResource(this.script));
		populator.populate(context.getConnection());
	}

}
