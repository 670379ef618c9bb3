package io.coffer.catalog;

import org.flywaydb.core.api.migration.JavaMigration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CatalogConfiguration {

	@Bean
	JavaMigration springBatchSchema() {
		return new LibrarySchemaMigration("2", "spring batch schema", "org/springframework/batch/core/schema-postgresql.sql");
	}

	@Bean
	JavaMigration quartzSchema() {
		return new LibrarySchemaMigration("3", "quartz schema", "org/quartz/impl/jdbcjobstore/tables_postgres.sql");
	}

}
