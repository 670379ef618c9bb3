package io.coffer.restore;

import java.time.Duration;

import io.coffer.catalog.RunStatus;
import io.coffer.testsupport.ApiClient;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/** Starting restores through the API and waiting for them, as the tests of this package do. */
final class RestoreSupport {

	private RestoreSupport() {
	}

	static ApiClient.Response start(ApiClient client, String databaseId, String body) {
		return client.post("/api/v1/databases/" + databaseId + "/restores", body);
	}

	static JsonNode awaitFinished(ApiClient client, String databaseId, String restoreId) {
		return await().atMost(Duration.ofSeconds(180))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> client.get("/api/v1/databases/" + databaseId + "/restores/" + restoreId).json(),
					(json) -> RunStatus.of(json.path("status").asString()).isFinished());
	}

}
