package io.coffer.redisconfig;

import java.util.Map;

/**
 * A node's configuration as the API shows it under {@code config}: the settings a request can change,
 * and the memory limit and policy that cache mode comes to. TLS is forced when the node listens with TLS
 * only.
 */
public record EffectiveConfig(boolean rdb, boolean aof, boolean cacheMode, int timeout, long maxmemory,
		String maxmemoryPolicy, boolean forceTls) {

	static EffectiveConfig of(Map<String, String> running) {
		String policy = running.get("maxmemory-policy");
		return new EffectiveConfig(!running.getOrDefault("save", "").isBlank(), "yes".equals(running.get("appendonly")),
				RedisSettings.CACHE_POLICY.equals(policy), Integer.parseInt(running.getOrDefault("timeout", "0")),
				Long.parseLong(running.getOrDefault("maxmemory", "0")), policy,
				"0".equals(running.get("port")) && !"0".equals(running.getOrDefault("tls-port", "0")));
	}

}
