package io.coffer.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the HTTP API.
 * @param maxBodySize the largest JSON request body the API reads (413 beyond); the dump an import streams has
 * its own limit ({@code coffer.import.max-size})
 */
@ConfigurationProperties("coffer.api")
record ApiProperties(@DefaultValue("1MB") DataSize maxBodySize) {

	ApiProperties {
		if (maxBodySize.toBytes() < 1) {
			throw new IllegalArgumentException("coffer.api.max-body-size must be at least 1 byte, like 1MB");
		}
	}

}
