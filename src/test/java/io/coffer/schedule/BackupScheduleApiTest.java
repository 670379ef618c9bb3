package io.coffer.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quartz.JobDataMap;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BackupScheduleApiTest extends IntegrationTest {

	private static RedisServerProcess redis;

	@Autowired
	Scheduler scheduler;

	@Autowired
	MissedBackupListener missedBackups;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword("schedule-secret");
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void theScheduleIsSetWithAnHourOrATimeAndReadBack() throws Exception {
		ApiClient.Response created = register("sched-api");
		String db = created.text("id");
		ApiClient owner = withToken(created.text("token"));
		// an hour far from now, so that the backup does not start during the test
		int hour = ZonedDateTime.now(ZoneOffset.UTC).plusHours(12).getHour();

		ApiClient.Response set = owner.put(path(db), "{\"enabled\": true, \"hour_utc\": " + hour + "}");

		assertThat(set.status()).as(set.body()).isEqualTo(200);
		assertThat(set.json().path("enabled").asBoolean()).isTrue();
		assertThat(set.json().path("hour_utc").asInt()).isEqualTo(hour);
		assertThat(set.text("schedule_at")).startsWith(hour + ":").endsWith(" UTC");
		ZonedDateTime next = Instant.parse(set.text("next_run")).atZone(ZoneOffset.UTC);
		assertThat(next.getHour()).isEqualTo(hour);
		assertThat(Duration.between(Instant.now(), next.toInstant())).isLessThanOrEqualTo(Duration.ofDays(1));
		assertThat(this.scheduler.checkExists(DatabaseSchedules.triggerKey(db))).isTrue();

		int other = (hour + 1) % 24;
		ApiClient.Response byTime = owner.put(path(db), "{\"schedule_at\": \"" + other + ":00 UTC\"}");
		assertThat(byTime.status()).as(byTime.body()).isEqualTo(200);
		JsonNode read = owner.get(path(db)).json();
		assertThat(read.path("hour_utc").asInt()).isEqualTo(other);
		assertThat(Instant.parse(read.path("next_run").asString()).atZone(ZoneOffset.UTC).getHour()).isEqualTo(other);
		assertThat(operator().get("/api/v1/databases/" + db).json().path("backup_schedule").path("hour_utc").asInt())
			.isEqualTo(other);

		ApiClient.Response off = owner.put(path(db), "{\"enabled\": false}");
		assertThat(off.status()).as(off.body()).isEqualTo(200);
		assertThat(off.json().path("enabled").asBoolean()).isFalse();
		assertThat(off.json().path("next_run").isNull() || off.json().path("next_run").isMissingNode()).as(off.body()).isTrue();
		assertThat(this.scheduler.checkExists(DatabaseSchedules.triggerKey(db))).isFalse();
	}

	@Test
	void invalidValuesAreRefusedWithASentence() {
		String db = register("sched-invalid").text("id");

		assertInvalid(db, "{\"hour_utc\": 24}", "hour_utc");
		assertInvalid(db, "{\"hour_utc\": -1}", "hour_utc");
		assertInvalid(db, "{\"schedule_at\": \"4:30 UTC\"}", "whole hour");
		assertInvalid(db, "{\"schedule_at\": \"4:00 CET\"}", "UTC");
		assertInvalid(db, "{\"schedule_at\": \"at dawn\"}", "4:00 UTC");
		assertInvalid(db, "{\"schedule_at\": \"25:00 UTC\"}", "23:00");
		assertInvalid(db, "{\"hour_utc\": 3, \"schedule_at\": \"3:00 UTC\"}", "not both");
		assertInvalid(db, "{}", "hour_utc");
		assertThat(operator().put(path(db), "{\"hour_utc\": \"three\"}").status()).isEqualTo(400);
	}

	@Test
	void anotherDatabasesTokenSeesNothing() {
		String db = register("sched-mine").text("id");
		String othersToken = register("sched-other").text("token");

		assertThat(withToken(othersToken).get(path(db)).status()).isEqualTo(404);
		assertThat(withToken(othersToken).put(path(db), "{\"hour_utc\": 3}").status()).isEqualTo(404);
		assertThat(operator().get(path("no-such-db-9999")).status()).isEqualTo(404);
	}

	@Test
	void aPeriodicBackupThatFindsOneRunningIsRecordedAsSkipped() throws Exception {
		String db = register("sched-skip").text("id");
		redis.freeze();
		try {
			assertThat(operator().post("/api/v1/databases/" + db + "/backups").status()).isEqualTo(202);
			JobDataMap data = new JobDataMap();
			data.put(PeriodicBackupJob.DATABASE_ID, db);
			this.scheduler.triggerJob(DatabaseSchedules.JOB, data);

			JsonNode skipped = await().atMost(Duration.ofSeconds(30))
				.until(() -> operator().get(path(db)).json().path("skipped"), (list) -> !list.isEmpty());
			assertThat(skipped.get(0).path("reason").asString()).isEqualTo("skipped: a backup of " + db + " was already running");
		}
		finally {
			redis.thaw();
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> operator().get("/api/v1/databases/" + db + "/backups").json().get(0).path("status").asString(),
					(status) -> status.equals("done"));
		assertThat(operator().get("/api/v1/databases/" + db + "/backups").json().size()).isEqualTo(1);
	}

	@Test
	void aPeriodicBackupThatFindsARestoreIntoItsDatabaseRunningIsRecordedAsSkipped() throws Exception {
		try (RedisServerProcess restoring = RedisServerProcess.startWithPassword("schedule-secret")) {
			restoring.populate(20_000, "key", 16);
			String db = registerDatabase("sched-restoring", "schedule-secret", "stream", restoring.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			try (redis.clients.jedis.Jedis jedis = restoring.jedis()) {
				// half a millisecond per key: the restore loads for seconds, while the trigger fires
				jedis.configSet("key-load-delay", "500");
				jedis.configSet("loading-process-events-interval-bytes", "1024");
			}
			ApiClient.Response restore = operator().post("/api/v1/databases/" + db + "/restores",
					"{\"backup\": \"" + backupId + "\"}");
			assertThat(restore.status()).as(restore.body()).isEqualTo(202);
			JobDataMap data = new JobDataMap();
			data.put(PeriodicBackupJob.DATABASE_ID, db);
			this.scheduler.triggerJob(DatabaseSchedules.JOB, data);

			JsonNode skipped = await().atMost(Duration.ofSeconds(30))
				.until(() -> operator().get(path(db)).json().path("skipped"), (list) -> !list.isEmpty());
			assertThat(skipped.get(0).path("reason").asString()).isEqualTo("skipped: a restore into " + db + " was running");
			String ended = awaitRestoreFinished(operator(), db, restore.text("id")).path("status").asString();
			assertThat(ended).isEqualTo("done");
			assertThat(operator().get("/api/v1/databases/" + db + "/backups").json().size()).isEqualTo(1);
		}
	}

	@Test
	void aBackupMissedWithinTheGraceRunsOnceAndALaterOneIsRecordedAsSkipped() throws Exception {
		String db = register("sched-misfire").text("id");
		// due ten minutes ago, as if the service had just come back: within the grace (1 h), it runs
		this.scheduler.scheduleJob(TriggerBuilder.newTrigger()
			.withIdentity("late-" + db, DatabaseSchedules.GROUP)
			.forJob(DatabaseSchedules.JOB)
			.usingJobData(PeriodicBackupJob.DATABASE_ID, db)
			.startAt(Date.from(Instant.now().minus(Duration.ofMinutes(10))))
			.build());

		JsonNode backups = await().atMost(Duration.ofSeconds(60))
			.until(() -> operator().get("/api/v1/databases/" + db + "/backups").json(), (list) -> list.size() == 1
					&& list.get(0).path("status").asString().equals("done"));
		assertThat(backups.get(0).path("method").asString()).isEqualTo("periodic");

		// due two hours ago: Quartz gives up on it (misfire) and the owner is told
		Trigger missed = TriggerBuilder.newTrigger()
			.withIdentity("missed-" + db, DatabaseSchedules.GROUP)
			.forJob(DatabaseSchedules.JOB)
			.usingJobData(PeriodicBackupJob.DATABASE_ID, db)
			.startAt(Date.from(Instant.now().minus(Duration.ofHours(2))))
			.build();
		((org.quartz.spi.OperableTrigger) missed).computeFirstFireTime(null);
		this.missedBackups.triggerMisfired(missed);

		JsonNode skipped = operator().get(path(db)).json().path("skipped");
		assertThat(skipped.get(0).path("reason").asString()).startsWith("missed: no instance of the service could start it on time");
		assertThat(operator().get("/api/v1/databases/" + db + "/backups").json().size()).isEqualTo(1);
	}

	private void assertInvalid(String db, String body, String sentencePart) {
		ApiClient.Response response = operator().put(path(db), body);
		assertThat(response.status()).as(body + " → " + response.body()).isEqualTo(400);
		assertThat(response.text("error")).isEqualTo("invalid_request");
		assertThat(response.text("message")).contains(sentencePart);
	}

	private ApiClient.Response register(String app) {
		ApiClient.Response created = operator().post("/api/v1/databases", """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}], "password": "schedule-secret"}}"""
			.formatted(app, redis.port()));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created;
	}

	private static String path(String db) {
		return "/api/v1/databases/" + db + "/backup-schedule";
	}

}
