package io.coffer.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Periodic backups every few hours: what the API takes, what Quartz is told, what a plan allows. */
class SubDailyScheduleTest extends IntegrationTest {

	private static final String PASSWORD = "every-hours-secret";

	private static RedisServerProcess redis;

	@Autowired
	Scheduler scheduler;

	@Autowired
	JdbcClient jdbc;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void everySixHoursFiresFourTimesADayFromTheChosenHour() throws Exception {
		ApiClient.Response created = registerDatabase("every-six", PASSWORD, "stream", redis.port());
		String db = created.text("id");
		ApiClient owner = withToken(created.text("token"));
		int hour = ZonedDateTime.now(ZoneOffset.UTC).plusHours(3).getHour();

		ApiClient.Response set = owner.put(path(db), "{\"hour_utc\": " + hour + ", \"every_hours\": 6}");

		assertThat(set.status()).as(set.body()).isEqualTo(200);
		assertThat(set.json().path("enabled").asBoolean()).isTrue();
		assertThat(set.json().path("every_hours").asInt()).isEqualTo(6);
		Instant next = Instant.parse(set.text("next_run"));
		assertThat(Duration.between(Instant.now(), next)).isPositive().isLessThanOrEqualTo(Duration.ofHours(6));
		assertThat(next.atZone(ZoneOffset.UTC).getHour() % 6).isEqualTo(hour % 6);
		CronTrigger trigger = (CronTrigger) this.scheduler.getTrigger(DatabaseSchedules.triggerKey(db));
		assertThat(firingHoursOfADay(trigger)).containsExactly(hour % 6, hour % 6 + 6, hour % 6 + 12, hour % 6 + 18);
		assertThat(owner.get(path(db)).json().path("every_hours").asInt()).isEqualTo(6);

		ApiClient.Response daily = owner.put(path(db), "{\"every_hours\": 24}");

		assertThat(daily.status()).as(daily.body()).isEqualTo(200);
		assertThat(daily.json().path("hour_utc").asInt()).isEqualTo(hour);
		trigger = (CronTrigger) this.scheduler.getTrigger(DatabaseSchedules.triggerKey(db));
		assertThat(firingHoursOfADay(trigger)).containsExactly(hour);
	}

	@Test
	void everyHourFromAScheduleThatHadNoHourKeepsItsSpreadMinute() throws Exception {
		String db = registerDatabase("every-hour", PASSWORD, "stream", redis.port()).text("id");
		String spreadAt = operator().get(path(db)).text("schedule_at");

		ApiClient.Response set = operator().put(path(db), "{\"every_hours\": 1}");

		assertThat(set.status()).as(set.body()).isEqualTo(200);
		assertThat(set.text("schedule_at")).isEqualTo(spreadAt);
		CronTrigger trigger = (CronTrigger) this.scheduler.getTrigger(DatabaseSchedules.triggerKey(db));
		assertThat(firingHoursOfADay(trigger)).hasSize(24);
		Instant next = Instant.parse(set.text("next_run"));
		assertThat(Duration.between(Instant.now(), next)).isLessThanOrEqualTo(Duration.ofHours(1));
		assertThat(next.atZone(ZoneOffset.UTC).getMinute()).isEqualTo(Integer.parseInt(spreadAt.split("[: ]")[1]));
	}

	@Test
	void anIntervalThatDoesNotDivideADayIsRefusedWithTheList() {
		String db = registerDatabase("every-five", PASSWORD, "stream", redis.port()).text("id");

		for (String value : List.of("5", "0", "48", "-6")) {
			ApiClient.Response refused = operator().put(path(db), "{\"every_hours\": " + value + "}");

			assertThat(refused.status()).as(refused.body()).isEqualTo(422);
			assertThat(refused.text("error")).isEqualTo("invalid_every_hours");
			assertThat(refused.text("message")).contains("1, 2, 3, 4, 6, 8, 12, 24").contains("not " + value);
		}
		assertThat(operator().get(path(db)).json().path("every_hours").asInt()).isEqualTo(24);
	}

	@Test
	void aStarterPlanAllowsTwelveHoursButNotSix() {
		String db = registerDatabase("every-starter", PASSWORD, "stream", redis.port()).text("id");
		// as if provisioned from that plan: the plan is all the schedule reads of it
		this.jdbc.sql("update databases set plan = 'redis-starter-256' where id = ?").param(db).update();

		ApiClient.Response refused = operator().put(path(db), "{\"every_hours\": 6}");

		assertThat(refused.status()).as(refused.body()).isEqualTo(422);
		assertThat(refused.text("error")).isEqualTo("every_hours_not_in_plan");
		assertThat(refused.text("message")).contains("redis-starter-256").contains("24, 12").contains("not every 6");
		JsonNode schedule = operator().get(path(db)).json();
		assertThat(schedule.path("every_hours").asInt()).isEqualTo(24);
		assertThat(schedule.path("allowed_every_hours").toString()).isEqualTo("[24,12]");

		ApiClient.Response allowed = operator().put(path(db), "{\"every_hours\": 12}");

		assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
		assertThat(allowed.json().path("every_hours").asInt()).isEqualTo(12);
		JsonNode plans = operator().get("/api/v1/plans").json();
		for (JsonNode plan : plans) {
			String expected = plan.path("name").asString().contains("business") ? "[24,12,8,6,4,3,2,1]" : "[24,12]";
			assertThat(plan.path("every_hours").toString()).as(plan.toString()).isEqualTo(expected);
		}
	}

	/** The hours (UTC) at which the trigger fires over one whole day. */
	private static List<Integer> firingHoursOfADay(CronTrigger trigger) {
		List<Integer> hours = new ArrayList<>();
		ZonedDateTime start = ZonedDateTime.now(ZoneOffset.UTC).plusDays(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
		Date at = Date.from(start.toInstant().minusMillis(1));
		while (true) {
			at = trigger.getFireTimeAfter(at);
			if (at == null || !at.toInstant().isBefore(start.plusDays(1).toInstant())) {
				return hours;
			}
			hours.add(at.toInstant().atZone(ZoneOffset.UTC).getHour());
		}
	}

	private static String path(String db) {
		return "/api/v1/databases/" + db + "/backup-schedule";
	}

}
