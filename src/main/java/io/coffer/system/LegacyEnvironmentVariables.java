package io.coffer.system;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Keeps reading the environment variables that the README documented under a name other than their
 * setting's, such as {@code COFFER_ADMIN_TOKEN} for {@code coffer.security.admin-token}; every other
 * setting comes from its own variable by Spring's relaxed binding. The table is
 * {@code legacy-environment-variables.properties}, which the README's generator reads too. The values
 * rank just below the environment itself: the variable of the setting's own name wins, and both win
 * over application.yml.
 */
public class LegacyEnvironmentVariables implements EnvironmentPostProcessor {

	static final String TABLE = "legacy-environment-variables.properties";

	static final String SOURCE_NAME = "legacyEnvironmentVariables";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		PropertySource<?> variables = environment.getPropertySources()
			.get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		if (variables == null) {
			return;
		}
		Map<String, Object> settings = new LinkedHashMap<>();
		aliases().forEach((variable, setting) -> {
			Object value = variables.getProperty(variable);
			if (value != null) {
				settings.put(setting, value);
			}
		});
		if (!settings.isEmpty()) {
			environment.getPropertySources()
				.addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						new MapPropertySource(SOURCE_NAME, settings));
		}
	}

	/** Each legacy variable and the setting it sets. */
	static Map<String, String> aliases() {
		Properties table = new Properties();
		try (InputStream in = LegacyEnvironmentVariables.class.getClassLoader().getResourceAsStream(TABLE)) {
			table.load(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Map<String, String> aliases = new LinkedHashMap<>();
		table.stringPropertyNames().stream().sorted().forEach((name) -> aliases.put(name, table.getProperty(name)));
		return aliases;
	}

}
