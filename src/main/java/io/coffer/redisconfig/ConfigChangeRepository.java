package io.coffer.redisconfig;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coffer.catalog.RunStatus;
import io.coffer.catalog.RunTransition;
import io.coffer.catalog.StoppedInstances;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code config_changes} rows: each change asked, by whom and when, and how it ended. */
@Repository
class ConfigChangeRepository {

	static final String SCHEDULED = "scheduled";

	static final String RUNNING = "running";

	static final String DONE = "done";

	static final String ERROR = "error";

	private static final TypeReference<Map<String, Object>> SETTINGS = new TypeReference<>() {
	};

	private final JdbcClient jdbc;

	private final JsonMapper json;

	ConfigChangeRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/** Records a {@code scheduled} change, run by this instance, and answers its id. */
	long insert(String databaseId, ConfigChange change, String requestedBy, Instant requestedAt, String instanceId) {
		return this.jdbc.sql("""
				insert into config_changes (database_id, settings, requested_by, requested_at, status, instance_id)
				values (?, ?::jsonb, ?, ?, 'scheduled', ?) returning id
				""")
			.params(databaseId, this.json.writeValueAsString(change.asMap()), requestedBy, Timestamp.from(requestedAt),
					instanceId)
			.query(Long.class)
			.single();
	}

	/**
	 * Marks {@code error} the changes in flight whose instance stopped (see {@link StoppedInstances}); answers
	 * their job executions, to be marked failed too (null for a change whose job never started).
	 */
	List<Long> interruptAbandoned(StoppedInstances stopped, String reason) {
		return stopped.bind(this.jdbc.sql("""
				update config_changes c set status = 'error', error = :reason
				where c.status in ('scheduled', 'running') and """
				+ StoppedInstances.condition("c.instance_id", "c.requested_at") + " returning c.job_execution_id"))
			.param("reason", reason)
			.query((rs, row) -> rs.getObject(1, Long.class))
			.list();
	}

	void jobStarted(long id, long jobExecutionId) {
		this.jdbc.sql("update config_changes set job_execution_id = ? where id = ?").params(jobExecutionId, id).update();
	}

	Optional<ConfigChange> find(long id) {
		return this.jdbc.sql("select settings::text from config_changes where id = ?")
			.params(id)
			.query(String.class)
			.optional()
			.map((settings) -> ConfigChange.of(this.json.readValue(settings, SETTINGS)));
	}

	/** Its job runs it now (see {@link RunTransition}: its life is {@link RunStatus}'s). */
	void running(long id) {
		RunTransition.apply(this.jdbc, "config_changes", id, "configuration change " + id, RunStatus.SCHEDULED,
				RunStatus.RUNNING, "", Map.of());
	}

	/** Every data node has the change. */
	void done(long id) {
		RunTransition.apply(this.jdbc, "config_changes", id, "configuration change " + id, RunStatus.RUNNING,
				RunStatus.DONE, "", Map.of());
	}

	/**
	 * Fails the change if it is still in flight; answers whether this call did (one that a recovery marked
	 * interrupted first keeps that reason).
	 */
	boolean failed(long id, String error) {
		return RunTransition.failInFlight(this.jdbc, "config_changes", id, "error = :error", Map.of("error", error));
	}

}
