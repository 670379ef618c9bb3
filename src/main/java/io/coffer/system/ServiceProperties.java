package io.coffer.system;

import java.nio.file.Path;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The service's own place and name: where its embedded default keeps its state, what this instance is
 * called in the cluster, and the platform it serves.
 * @param dataDir state of the embedded default (PostgreSQL, objects, keyring, operator token)
 * @param instanceId this instance's name in the cluster (Quartz's instance id, and the owner written on the
 * work it runs); must differ between instances; the host name and a random suffix when empty
 * @param platformPrefix prefix of the {@code REDIS_URL} alias, as in {@code SCALINGO_REDIS_URL}
 */
@Validated
@ConfigurationProperties("coffer")
public record ServiceProperties(@NotNull @DefaultValue("data") Path dataDir, String instanceId,
		@Pattern(regexp = "[A-Z][A-Z0-9_]*", message = "must be upper-case letters, digits and underscores, like SCALINGO")
		@DefaultValue("COFFER") String platformPrefix) {

	public ServiceProperties {
		instanceId = (instanceId != null) ? instanceId.trim() : "";
	}

}
