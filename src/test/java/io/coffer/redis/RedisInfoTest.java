package io.coffer.redis;

import java.util.Map;

import io.coffer.testsupport.RedisExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

class RedisInfoTest {

	@RegisterExtension
	static RedisExtension redis = RedisExtension.standalone().password("pw").set("maxmemory", "64mb");

	@Test
	void readsVersionKeysPerDatabaseAndMemory() {
		try (Jedis jedis = redis.server().jedis()) {
			jedis.set("a", "1");
			jedis.set("b", "2");
			jedis.select(2);
			jedis.set("c", "3");
		}

		RedisInfo info = RedisInfo.read(new RedisConnections(), redis.endpoint());

		assertThat(info.redisVersion()).isEqualTo(redis.server().info("server").get("redis_version")).startsWith("7.");
		assertThat(info.keysPerDatabase()).containsExactly(Map.entry(0, 2L), Map.entry(2, 1L));
		assertThat(info.totalKeys()).isEqualTo(3);
		assertThat(info.usedMemory()).isPositive();
		assertThat(info.maxMemory()).isEqualTo(64L * 1024 * 1024);
	}

}
