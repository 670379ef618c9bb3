package io.coffer.schedule;

import java.time.Duration;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.TriggerKey;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ServiceJobsApiTest extends IntegrationTest {

	@Autowired
	Scheduler scheduler;

	@Test
	void theSchedulesOfTheFolderAreInQuartz() throws Exception {
		CronTrigger retention = (CronTrigger) this.scheduler
			.getTrigger(TriggerKey.triggerKey("retention", ServiceSchedules.GROUP));

		assertThat(retention.getCronExpression()).isEqualTo("0 30 5 * * ?");
		assertThat(retention.getTimeZone().getID()).isEqualTo("UTC");
		// the verification of the retained backups: hourly, so that a day's reads are spread over it
		CronTrigger verify = (CronTrigger) this.scheduler
			.getTrigger(TriggerKey.triggerKey("verify-backups", ServiceSchedules.GROUP));
		assertThat(verify.getCronExpression()).isEqualTo("0 20 * * * ?");
	}

	@Test
	void theOperatorLaunchesAServiceJobAndFollowsItsExecution() {
		ApiClient.Response launched = operator().post("/api/v1/jobs/retentionJob");

		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		long execution = launched.json().path("execution").asLong();
		JsonNode finished = await().atMost(Duration.ofSeconds(60))
			.until(() -> operator().get("/api/v1/jobs/" + execution).json(),
					(json) -> json.path("status").asString().equals("completed"));
		assertThat(finished.path("job").asString()).isEqualTo("retentionJob");
		assertThat(finished.path("exit_code").asString()).isEqualTo("COMPLETED");
		assertThat(finished.path("exit_description").asString()).contains("expired").contains("deleted");
		assertThat(finished.has("ended_at")).isTrue();
	}

	@Test
	void unknownJobsAndOtherCallersAreRefused() {
		assertThat(operator().post("/api/v1/jobs/noSuchJob").status()).isEqualTo(404);
		assertThat(operator().post("/api/v1/jobs/backupJob").status()).isEqualTo(404);
		assertThat(operator().get("/api/v1/jobs/987654321").status()).isEqualTo(404);
		assertThat(withToken(null).post("/api/v1/jobs/retentionJob").status()).isEqualTo(401);
		// only the verification runs for one database, and only for one that exists
		ApiClient.Response other = operator().post("/api/v1/jobs/retentionJob?database=any");
		assertThat(other.status()).isEqualTo(400);
		assertThat(other.text("error")).isEqualTo("invalid_request");
		assertThat(operator().post("/api/v1/jobs/verifyBackupsJob?database=no-such-database").status()).isEqualTo(404);
	}

}
