package io.coffer.restore;

import java.util.Map;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code new_database}: until provisioning exists, the new database is a registered, empty one, named by
 * its app. The source is left alone; a non-empty target is refused before anything starts.
 */
class RestoreToNewDatabaseTest extends IntegrationTest {

	private static final String PASSWORD = "restore-new-secret";

	@Test
	void aBackupFillsAnEmptyRegisteredDatabaseAndANonEmptyOneIsRefused() {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess copy = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(source);
			ApiClient.Response sourceDb = registerDatabase("restore-source", PASSWORD, "stream", source.port());
			ApiClient.Response copyDb = registerDatabase("restore-copy", PASSWORD, "stream", copy.port());
			String db = sourceDb.text("id");
			backUp(db);
			Map<Integer, Map<String, String>> expected = RestoreFaultsTest.snapshot(source);
			String request = "{\"backup\": \"latest\", \"target\": \"new_database\", \"app\": \"restore-copy\"}";

			// a database's token acts on that database only
			ApiClient sourceOwner = withToken(sourceDb.text("token"));
			assertThat(RestoreSupport.start(sourceOwner, db, request).status()).isEqualTo(404);
			assertThat(RestoreSupport.start(withToken(copyDb.text("token")), db, request).status()).isEqualTo(404);
			assertThat(RestoreSupport.start(operator(), db, "{\"target\": \"new_database\"}").status())
				.isEqualTo(400);

			ApiClient.Response launched = RestoreSupport.start(operator(), db, request);
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			assertThat(launched.text("target")).isEqualTo("new_database");
			assertThat(launched.text("target_database")).isEqualTo(copyDb.text("id"));
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			assertThat(RedisDataset.differences(expected, RestoreFaultsTest.snapshot(copy))).isEmpty();
			assertThat(RedisDataset.differences(expected, RestoreFaultsTest.snapshot(source))).isEmpty();
			assertThat(finished.path("checks").path("target").path("keys_before").asLong()).isZero();

			ApiClient.Response again = RestoreSupport.start(operator(), db, request);
			assertThat(again.status()).as(again.body()).isEqualTo(422);
			assertThat(again.text("error")).isEqualTo("target_not_empty");
			assertThat(again.text("message")).contains(copyDb.text("id")).contains("empty");
		}
	}

}
