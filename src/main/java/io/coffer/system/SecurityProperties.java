package io.coffer.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The tokens given by configuration. The operator token's documented variable is
 * {@code COFFER_ADMIN_TOKEN}, an alias kept by {@link LegacyEnvironmentVariables}.
 * @param adminToken the operator token; generated on the first start and kept in {@code <data-dir>/admin-token}
 * when empty
 * @param metricsToken a token that may read {@code /actuator/prometheus} (as the operator token may) and
 * nothing else; none when empty
 */
@ConfigurationProperties("coffer.security")
public record SecurityProperties(String adminToken, String metricsToken) {

	public SecurityProperties {
		adminToken = (adminToken != null) ? adminToken.trim() : "";
		metricsToken = (metricsToken != null) ? metricsToken.trim() : "";
	}

}
