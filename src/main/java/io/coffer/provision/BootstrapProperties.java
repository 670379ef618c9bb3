package io.coffer.provision;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * A Redis the service looks after from its first start, without an API call.
 * @param redisUrl a Redis to register as database {@code local} and back up at start-up; {@code scripts/run}
 * sets it from {@code REDIS_URL}
 */
@ConfigurationProperties("coffer.bootstrap")
record BootstrapProperties(String redisUrl) {

	BootstrapProperties {
		redisUrl = (redisUrl != null) ? redisUrl : "";
	}

}
