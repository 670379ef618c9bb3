package io.coffer.catalog;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The catalogue's PostgreSQL. Without a URL, an embedded PostgreSQL runs under the data folder.
 * @param url the catalogue, e.g. {@code jdbc:postgresql://db:5432/coffer}; an embedded PostgreSQL when empty
 * @param username the catalogue's user
 * @param password the catalogue user's password
 * @param poolSize connections this instance keeps to the catalogue, shared by the API, the jobs and Quartz;
 * the pools of a cluster's instances together must stay under PostgreSQL's max_connections
 * @param connectionTimeout how long a statement waits for a connection (all in use, or PostgreSQL away or
 * restarting) before it fails; connections are opened again as soon as PostgreSQL answers
 */
@Validated
@ConfigurationProperties("coffer.database")
public record DatabaseProperties(
		@Pattern(regexp = "(jdbc:postgresql://.*)?", message = "must be a PostgreSQL JDBC URL such as jdbc:postgresql://db:5432/coffer")
		String url,
		String username, String password,
		@Min(value = 2, message = "must be at least 2") @DefaultValue("20") int poolSize,
		@DefaultValue("30s") Duration connectionTimeout) {

	public DatabaseProperties {
		url = (url != null) ? url.trim() : "";
		username = (username != null) ? username : "";
		password = (password != null) ? password : "";
		connectionTimeout = (connectionTimeout != null) ? connectionTimeout : Duration.ofSeconds(30);
	}

	public boolean isEmbedded() {
		return this.url.isBlank();
	}

}
