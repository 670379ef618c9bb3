package io.coffer.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.backup.BackupProperties;
import io.coffer.node.ProvisioningProperties;
import io.coffer.storage.S3Properties;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every environment variable the README documents sets its setting: by Spring's relaxed binding, or,
 * for the few documented under another name, by {@link LegacyEnvironmentVariables}.
 */
class EnvironmentVariablesTest {

	@Test
	void everyDocumentedVariableSetsASetting() throws IOException {
		List<String> variables = documentedVariables();
		assertThat(variables).hasSizeGreaterThan(60).contains("SERVER_PORT", "COFFER_ADMIN_TOKEN", "COFFER_BACKUP_SNAPSHOT_TIMEOUT");

		for (String variable : variables) {
			assertThat(settingsSetBy(variable)).as(variable).hasSize(1);
		}
	}

	/**
	 * The settings (coffer.*, and Spring Boot's server.port) that this environment variable sets in a
	 * started service.
	 */
	static List<String> settingsSetBy(String variable) throws IOException {
		Binder binder = binderOver(Map.of(variable, "probe"));
		return settings().stream()
			.filter((setting) -> "probe".equals(binder.bind(setting, Bindable.of(String.class)).orElse(null)))
			.toList();
	}

	@Test
	void relaxedNamesBindToTheRecordsIncludingDashedOnes() {
		Binder binder = binderOver(Map.of("COFFER_BACKUP_SNAPSHOT_TIMEOUT", "3m", "COFFER_BACKUP_MAX_REPLICA_LAG_BYTES",
				"1024", "COFFER_S3_PART_SIZE", "8388608", "COFFER_DATA_DIR", "/var/lib/coffer",
				"COFFER_PROVISIONING_SENTINEL_FAILOVER_TIMEOUT", "2m", "COFFER_HOUSEKEEPING_INSTANCE_TIMEOUT", "90s"));

		BackupProperties backup = binder.bindOrCreate("coffer.backup", BackupProperties.class);
		assertThat(backup.snapshotTimeout()).isEqualTo(Duration.ofMinutes(3));
		assertThat(backup.maxReplicaLagBytes()).isEqualTo(1024);
		assertThat(backup.compressionLevel()).isEqualTo(1);
		assertThat(binder.bindOrCreate("coffer.s3", S3Properties.class).partSize()).isEqualTo(8388608);
		assertThat(binder.bindOrCreate("coffer", ServiceProperties.class).dataDir()).isEqualTo(Path.of("/var/lib/coffer"));
		assertThat(binder.bindOrCreate("coffer.provisioning", ProvisioningProperties.class).sentinelFailoverTimeout())
			.isEqualTo(Duration.ofMinutes(2));
		assertThat(binder.bindOrCreate("coffer.housekeeping", ClusterProperties.class).instanceTimeout())
			.isEqualTo(Duration.ofSeconds(90));
		assertThat(binder.bind("coffer.webhooks.urls", Bindable.listOf(String.class)).isBound()).isFalse();
		assertThat(binderOver(Map.of("COFFER_WEBHOOKS_URLS", "http://a/hook,http://b/hook"))
			.bind("coffer.webhooks.urls", Bindable.listOf(String.class))
			.get()).containsExactly("http://a/hook", "http://b/hook");
		assertThat(binderOver(Map.of("COFFER_RETENTION_FINAL", "90d")).bind("coffer.retention.final", Duration.class)
			.get()).isEqualTo(Duration.ofDays(90));
	}

	@Test
	void aLegacyVariableSetsItsSettingAndTheSettingsOwnVariableWins() {
		assertThat(binderOver(Map.of("COFFER_ADMIN_TOKEN", "legacy"))
			.bindOrCreate("coffer.security", SecurityProperties.class)
			.adminToken()).isEqualTo("legacy");
		assertThat(binderOver(Map.of("COFFER_ADMIN_TOKEN", "legacy", "COFFER_SECURITY_ADMIN_TOKEN", "own"))
			.bindOrCreate("coffer.security", SecurityProperties.class)
			.adminToken()).isEqualTo("own");
	}

	@Test
	void theLegacyVariablesAreReadAtEveryStart() {
		SpringApplication application = new SpringApplication(Nothing.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setEnvironment(environmentOf(Map.of("COFFER_ADMIN_TOKEN", "legacy")));
		try (ConfigurableApplicationContext context = application.run()) {
			assertThat(context.getEnvironment().getProperty("coffer.security.admin-token")).isEqualTo("legacy");
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Nothing {

	}

	/** The environment of a started service, with these variables only. */
	private static Binder binderOver(Map<String, Object> variables) {
		StandardEnvironment environment = environmentOf(variables);
		new LegacyEnvironmentVariables().postProcessEnvironment(environment, new SpringApplication());
		return Binder.get(environment);
	}

	/** An environment whose variables are these, and without system properties. */
	private static StandardEnvironment environmentOf(Map<String, Object> variables) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		return environment;
	}

	/** The coffer.* settings of the configuration metadata, and server.port, which the README documents too. */
	private static List<String> settings() throws IOException {
		JsonNode metadata = JsonMapper.builder().build()
			.readTree(Files.readString(Path.of("target/classes/META-INF/spring-configuration-metadata.json")));
		List<String> settings = new ArrayList<>(List.of("server.port"));
		for (JsonNode property : metadata.path("properties")) {
			String name = property.path("name").asString();
			if (name.startsWith("coffer.")) {
				settings.add(name);
			}
		}
		return settings;
	}

	/** The variables of the README's settings table. */
	private static List<String> documentedVariables() throws IOException {
		List<String> variables = new ArrayList<>();
		Matcher row = Pattern.compile("(?m)^\\| `((?:COFFER|SERVER)_[A-Z0-9_]+)` \\|").matcher(Files.readString(Path.of("README.md")));
		while (row.find()) {
			variables.add(row.group(1));
		}
		return variables;
	}

}
