package io.coffer.backup;

import java.time.Duration;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A database with sentinels: the topology comes from them, not from the catalogue, so a backup
 * keeps going to the right node after a failover swapped the roles.
 */
class SentinelBackupTest extends IntegrationTest {

	private static final String PASSWORD = "sentinel-secret";

	@Test
	void theReplicaNamedByTheSentinelsIsUsedAndAfterAFailoverTheNewPrimary() {
		try (RedisTopology redis = RedisTopology.primaryWithReplica().password(PASSWORD).withSentinels(3).start()) {
			try (Jedis jedis = redis.primary().jedis()) {
				jedis.set("survives", "the failover");
			}
			RedisTopology.awaitReplicaLinkUp(redis.replica(), redis.primary());
			String db = register(redis, "mymaster");

			JsonNode first = backUp(db);
			assertThat(first.path("status").asString()).as(first.toString()).isEqualTo("done");
			assertThat(first.path("node").path("role").asString()).isEqualTo("replica");
			assertThat(first.path("node").path("port").asInt()).isEqualTo(redis.replica().port());

			redis.primary().kill();
			await().atMost(Duration.ofSeconds(30)).until(() -> redis.currentPrimary() == redis.replica());

			JsonNode afterFailover = backUp(db);
			assertThat(afterFailover.path("status").asString()).as(afterFailover.toString()).isEqualTo("done");
			assertThat(afterFailover.path("node").path("role").asString()).isEqualTo("primary");
			assertThat(afterFailover.path("node").path("port").asInt()).isEqualTo(redis.replica().port());
		}
	}

	@Test
	void sentinelsThatDoNotKnowTheMasterNameAreRefusedAtRegistration() {
		try (RedisTopology redis = RedisTopology.primaryWithReplica().password(PASSWORD).withSentinels(3).start()) {
			ApiClient.Response response = operator().post("/api/v1/databases", body(redis, "not-my-master"));

			assertThat(response.status()).isEqualTo(422);
			assertThat(response.text("message")).contains("not-my-master")
				.contains(redis.sentinels().get(0).address());
		}
	}

	private String register(RedisTopology redis, String masterName) {
		ApiClient.Response created = operator().post("/api/v1/databases", body(redis, masterName));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.text("id");
	}

	private static String body(RedisTopology redis, String masterName) {
		StringBuilder sentinels = new StringBuilder();
		for (RedisServerProcess sentinel : redis.sentinels()) {
			sentinels.append(sentinels.isEmpty() ? "" : ", ")
				.append("{\"host\": \"127.0.0.1\", \"port\": ")
				.append(sentinel.port())
				.append('}');
		}
		return """
				{"app": "with-sentinels", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}],
				 "password": "%s", "sentinels": [%s], "sentinel_master": "%s"}}"""
			.formatted(redis.primary().port(), PASSWORD, sentinels, masterName);
	}

}
