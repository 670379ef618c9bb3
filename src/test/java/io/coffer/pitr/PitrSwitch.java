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

}
