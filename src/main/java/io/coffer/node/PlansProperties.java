package io.coffer.node;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the plans are.
 * @param plansFile the plans databases are provisioned from; the {@code plans.yml} packaged with the service
 * when not set
 */
@ConfigurationProperties("coffer")
record PlansProperties(Path plansFile) {
}
