package io.coffer.restore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The daily drill of point-in-time recovery: a sound window replays into a scratch server and passes; once a
 * segment of it no longer matches the catalogue, the drill fails and announces it as a backup drill failure
 * of method point_in_time, naming the base. The database is left alone.
 */
@RecordApplicationEvents
class PointInTimeDrillTest extends IntegrationTest {

	private static final String PASSWORD = "pitr-drill-secret";

	@Autowired
	PointInTimeDrillTask drill;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	ApplicationEvents events;

	@Test
	void aWindowThatReplaysPassesAndOneWithADamagedSegmentIsAnnounced() {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD)) {
			String db = registerDatabase("pitr-drill-" + System.nanoTime() % 100_000, PASSWORD, "stream",
					source.port()).text("id");
			ApiClient operator = operator();
			assertThat(operator.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": true}").status()).isEqualTo(200);
			try {
				await().atMost(Duration.ofSeconds(60))
					.until(() -> source.info("replication").get("connected_slaves").equals("1"));
				try (Jedis jedis = source.jedis()) {
					for (int n = 0; n < 50; n++) {
						jedis.set("k:" + n, "v" + n);
					}
				}
				Instant written = Instant.now();
				await().atMost(Duration.ofSeconds(60)).until(() -> {
					JsonNode status = operator.get("/api/v1/databases/" + db + "/pitr").json();
					String to = status.path("recoverable_to").asString();
					return !to.isEmpty() && !Instant.parse(to).isBefore(written.minusMillis(50));
				});
				// the archiver is stopped, so that the window drilled is the one damaged below
				operator.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": false}");
				await().atMost(Duration.ofSeconds(20))
					.until(() -> source.info("replication").get("connected_slaves").equals("0"));

				PointInTimeDrillTask.Result sound = this.drill.drillDatabases(List.of(db));
				assertThat(sound.passed()).as(sound.describe()).containsExactly(db);
				assertThat(this.events.stream(BackupDrillFailed.class)).isEmpty();

				this.jdbc.sql("update pitr_segments set stored_sha256 = ? where database_id = ?")
					.params("0".repeat(64), db)
					.update();
				PointInTimeDrillTask.Result damaged = this.drill.drillDatabases(List.of(db));
				assertThat(damaged.failed()).as(damaged.describe()).containsExactly(db);
				List<BackupDrillFailed> announced = this.events.stream(BackupDrillFailed.class).toList();
				assertThat(announced).hasSize(1);
				assertThat(announced.get(0).databaseId()).isEqualTo(db);
				assertThat(announced.get(0).method()).isEqualTo("point_in_time");
				assertThat(announced.get(0).backupId()).isNotNull();
				assertThat(announced.get(0).problem()).contains("damaged or replaced");
				try (Jedis jedis = source.jedis()) {
					assertThat(jedis.dbSize()).as("the database itself was left alone").isEqualTo(50);
				}
			}
			finally {
				operator.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": false}");
			}
		}
	}

}
