package io.coffer.restore;

import java.time.Duration;

import io.coffer.catalog.RunStatus;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Starting restores through the API and waiting for them, as the tests of this package do. */
final class RestoreSupport {

	private RestoreSupport() {
	}

	static ApiClient.Response start(ApiClient client, String databaseId, String body) {
		return client.post("/api/v1/databases/" + databaseId + "/restores", body);
	}

	/** Registers the topology's primary and replica with its sentinels; answers the database's id. */
	static String registerWithSentinels(ApiClient client, RedisTopology redis, String app, String password) {
		StringBuilder sentinels = new StringBuilder();
		for (RedisServerProcess sentinel : redis.sentinels()) {
			sentinels.append(sentinels.isEmpty() ? "" : ", ")
				.append("{\"host\": \"127.0.0.1\", \"port\": ")
				.append(sentinel.port())
				.append("}");
		}
		ApiClient.Response created = client.post("/api/v1/databases", """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d},
				 {"host": "127.0.0.1", "port": %d}], "password": "%s", "sentinels": [%s], "sentinel_master": "%s"}}"""
			.formatted(app, redis.primary().port(), redis.replica().port(), password, sentinels,
					RedisTopology.MASTER_NAME));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.text("id");
	}

	static JsonNode awaitFinished(ApiClient client, String databaseId, String restoreId) {
		return await().atMost(Duration.ofSeconds(180))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> client.get("/api/v1/databases/" + databaseId + "/restores/" + restoreId).json(),
					(json) -> RunStatus.of(json.path("status").asString()).isFinished());
	}

}
