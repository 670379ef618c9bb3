package io.coffer.pitr;

import java.time.Duration;

import io.coffer.catalog.PitrRepository;
import io.coffer.testsupport.ApiClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Turns a database's point-in-time recovery on or off through the API (200 or fails); off returns once its archiver let go. */
final class PitrSwitch {

	private PitrSwitch() {
	}

	static ApiClient.Response set(ApiClient owner, PitrRepository pitr, String db, boolean enabled) {
		ApiClient.Response answer = owner.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": " + enabled + "}");
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		if (!enabled) {
			await().atMost(Duration.ofSeconds(20))
				.until(() -> pitr.find(db).map((archiver) -> archiver.owner() == null).orElse(true));
		}
		return answer;
	}

	/**
	 * Registers the node on this local port as {@code app}'s database through {@code admin} (an instance of a
	 * cluster) and turns its point-in-time recovery on; answers the database's id.
	 */
	static String registerArchived(ApiClient admin, String app, int port) {
		ApiClient.Response created = admin.post("/api/v1/databases", """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}]}}""".formatted(app, port));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String db = created.text("id");
		ApiClient.Response enabled = admin.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": true}");
		assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
		return db;
	}

}
