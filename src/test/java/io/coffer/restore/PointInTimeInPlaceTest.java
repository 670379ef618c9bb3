package io.coffer.restore;

import java.time.Duration;
import java.time.Instant;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.ProvisionedDatabases;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A business database (primary, replica, sentinels) restored in place to a time: it holds the data of that
 * time, the same node is its primary (no failover), the replica follows it, and REDIS_URL keeps working.
 */
class PointInTimeInPlaceTest extends IntegrationTest {

	@Test
	void aBusinessDatabaseGoesBackToATimeInPlaceWithoutAFailover() throws Exception {
		Provisioned database = provision("pitr-in-place", "redis-business-256");
		String db = database.id();
		int primaryPort = port(database.database(), "primary");
		int replicaPort = port(database.database(), "replica");
		ApiClient owner = withToken(database.token());
		assertThat(owner.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": true}").status()).isEqualTo(200);
		try {
			// the writes come after the base the archiver takes, so that the time asked is within the window
			await().atMost(Duration.ofSeconds(60)).until(() -> RestoreSupport.hasDoneBase(owner, db));
			Instant at;
			try (Jedis jedis = ProvisionedDatabases.connect(database.url().getPort(), database.password())) {
				for (int n = 0; n < 200; n++) {
					jedis.set("k:" + n, "then");
				}
				at = PointInTimeDownloadTest.archivedUpTo(owner, db, jedis);
				for (int n = 0; n < 200; n++) {
					jedis.set("k:" + n, "later");
				}
				jedis.set("written-later", "1");
			}
			JsonNode restore = restore(owner, db, "{\"at\": \"" + at + "\", \"target\": \"in_place\"}");
			assertThat(restore.path("checks").path("load").path("replayed").asLong()).as(restore.toString())
				.isGreaterThanOrEqualTo(200);
			assertThat(restore.path("checks").path("load").path("sentinels_held").asInt()).isPositive();

			try (Jedis jedis = ProvisionedDatabases.connect(database.url().getPort(), database.password())) {
				assertThat(jedis.get("k:0")).isEqualTo("then");
				assertThat(jedis.get("k:199")).isEqualTo("then");
				assertThat(jedis.exists("written-later")).isFalse();
				jedis.set("after-the-restore", "1");
			}
			JsonNode now = operator().get("/api/v1/databases/" + db).json();
			assertThat(port(now, "primary")).as("no failover").isEqualTo(primaryPort);
			try (Jedis primary = ProvisionedDatabases.connect(primaryPort, database.password())) {
				assertThat(primary.info("replication")).contains("role:master");
			}
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
				try (Jedis replica = ProvisionedDatabases.connect(replicaPort, database.password())) {
					assertThat(replica.get("k:199")).isEqualTo("then");
					assertThat(replica.exists("written-later")).isFalse();
					assertThat(replica.get("after-the-restore")).isEqualTo("1");
				}
			});
		}
		finally {
			owner.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": false}");
		}
		assertThat(operator().delete("/api/v1/databases/" + db).status()).isEqualTo(200);
	}

	private static int port(JsonNode database, String role) {
		for (JsonNode node : database.path("nodes")) {
			if (node.path("role").asString().equals(role)) {
				return node.path("port").asInt();
			}
		}
		throw new AssertionError("no " + role + " in " + database);
	}

}
