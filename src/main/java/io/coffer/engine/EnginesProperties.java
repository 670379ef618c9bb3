package io.coffer.engine;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the engine catalogue is.
 * @param enginesFile the engines (Redis, Valkey) and versions databases run and may upgrade to, each with its
 * {@code server} program; the {@code engines.yml} packaged with the service when not set; without entries, the
 * installed {@code coffer.provisioning.redis-server} at the version it reports
 */
@ConfigurationProperties("coffer")
record EnginesProperties(Path enginesFile) {
}
