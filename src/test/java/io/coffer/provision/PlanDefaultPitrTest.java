package io.coffer.provision;

import java.time.Duration;

import io.coffer.node.PlanCatalogue;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Plans turn point-in-time recovery on by default (business on, starter off, as plans.yml has it), when a
 * database is provisioned and when it changes plan, unless a user chose themselves.
 */
class PlanDefaultPitrTest extends IntegrationTest {

	@Autowired
	ProvisionSteps steps;

	@Autowired
	PlanCatalogue plans;

	@Test
	void thePlansSayWhetherTheyArchive() {
		JsonNode listed = operator().get("/api/v1/plans").json();
		for (JsonNode plan : listed) {
			assertThat(plan.path("pitr").asBoolean()).as(plan.toString())
				.isEqualTo(plan.path("name").asString().startsWith("redis-business-"));
		}
	}

	@Test
	void aBusinessDatabaseArchivesFromItsProvisioningAndAStarterOneDoesNot() {
		Provisioned business = provision("pitr-default-business", "redis-business-256");
		Provisioned starter = provision("pitr-default-starter", "redis-starter-256");
		try {
			JsonNode recovery = pitr(business.id());
			assertThat(recovery.path("enabled").asBoolean()).as(recovery.toString()).isTrue();
			// and an archiver runs: the stream is made durable on an instance's disk every second
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> pitr(business.id()).path("lag_ms").isNumber());
			assertThat(pitr(starter.id()).path("enabled").asBoolean(true)).isFalse();
		}
		finally {
			operator().delete("/api/v1/databases/" + business.id());
			operator().delete("/api/v1/databases/" + starter.id());
		}
	}

	@Test
	void aUsersChoiceOutlivesThePlansDefault() {
		Provisioned chosen = provision("pitr-chosen", "redis-starter-256");
		Provisioned defaulted = provision("pitr-defaulted", "redis-starter-256");
		try {
			ApiClient owner = withToken(chosen.token());
			assertThat(owner.put("/api/v1/databases/" + chosen.id() + "/pitr", "{\"enabled\": false}").status())
				.isEqualTo(200);

			// what the end of a plan change to a business plan applies
			this.steps.applyPlanDefaults(chosen.id(), this.plans.find("redis-business-256").orElseThrow());
			this.steps.applyPlanDefaults(defaulted.id(), this.plans.find("redis-business-256").orElseThrow());

			assertThat(pitr(chosen.id()).path("enabled").asBoolean(true)).as("the owner turned it off").isFalse();
			assertThat(pitr(defaulted.id()).path("enabled").asBoolean()).as("nobody chose: the plan's").isTrue();

			// and back to a starter plan: off again for the one that follows its plan
			this.steps.applyPlanDefaults(defaulted.id(), this.plans.find("redis-starter-256").orElseThrow());
			assertThat(pitr(defaulted.id()).path("enabled").asBoolean(true)).isFalse();
		}
		finally {
			operator().delete("/api/v1/databases/" + chosen.id());
			operator().delete("/api/v1/databases/" + defaulted.id());
		}
	}

	private JsonNode pitr(String databaseId) {
		ApiClient.Response response = operator().get("/api/v1/databases/" + databaseId + "/pitr");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.json();
	}

}
