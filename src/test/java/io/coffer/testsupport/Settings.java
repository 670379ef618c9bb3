package io.coffer.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * A settings record bound the way the service binds it, from its defaults and the given
 * {@code name=value} pairs (names relative to the record's prefix), for tests that build one component.
 */
public final class Settings {

	private Settings() {
	}

	public static <T> T of(Class<T> type, String... settings) {
		String prefix = type.getAnnotation(ConfigurationProperties.class).value();
		Map<String, String> values = new LinkedHashMap<>();
		for (String setting : settings) {
			int equals = setting.indexOf('=');
			values.put(prefix + "." + setting.substring(0, equals), setting.substring(equals + 1));
		}
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate(prefix, Bindable.of(type));
	}

}
