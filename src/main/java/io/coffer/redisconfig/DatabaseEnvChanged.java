package io.coffer.redisconfig;

import java.time.Instant;
import java.util.Map;

/**
 * Published when a change gave the database a new environment for its app, e.g. {@code rediss://} once
 * TLS is forced: what the {@code database_env_changed} webhook is made of, so that the platform can
 * update the app's variables and restart it.
 *
 * @param env {@code REDIS_URL} and its prefixed alias, as the API shows them
 */
public record DatabaseEnvChanged(String databaseId, String app, Map<String, String> env, Instant changedAt) {
}
