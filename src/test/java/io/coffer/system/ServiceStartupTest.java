package io.coffer.system;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceStartupTest extends IntegrationTest {

	@Test
	void healthIsUpWithoutAToken() {
		ApiClient.Response health = withToken(null).get("/actuator/health");

		assertThat(health.status()).isEqualTo(200);
		assertThat(health.text("status")).isEqualTo("UP");
	}

	@Test
	void migrationsCreateTheCatalogueAndTheTablesOfBatchAndQuartz() throws Exception {
		List<String> tables = new ArrayList<>();
		try (Connection connection = CofferTestServices.get().database().connect();
				ResultSet rs = connection.getMetaData().getTables(null, "public", "%", new String[] { "TABLE" })) {
			while (rs.next()) {
				tables.add(rs.getString("TABLE_NAME").toLowerCase());
			}
		}

		assertThat(tables).contains("databases", "nodes", "credentials", "tokens", "backups", "restores",
				"batch_job_instance", "batch_step_execution", "qrtz_triggers", "qrtz_locks", "flyway_schema_history");
	}

	@Test
	void prometheusMetricsAreServed() {
		ApiClient.Response metrics = operator().get("/actuator/prometheus");

		assertThat(metrics.status()).isEqualTo(200);
		assertThat(metrics.body()).contains("jvm_memory_used_bytes");
	}

}
