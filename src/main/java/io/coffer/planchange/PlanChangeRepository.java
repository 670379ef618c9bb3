package io.coffer.planchange;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coffer.catalog.RunStatus;
import io.coffer.catalog.RunTransition;
import io.coffer.catalog.StoppedInstances;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code plan_changes} rows (each change asked, by whom and when, from which plan to which, and how it
 * ended), the database's plan once its nodes took the new one, and what else is in flight on a database.
 */
@Repository
public class PlanChangeRepository {

	static final String SCHEDULED = "scheduled";

	static final String RUNNING = "running";

	static final String DONE = "done";

	static final String ERROR = "error";

	private final JdbcClient jdbc;

	PlanChangeRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** A recorded change: the plans on either side. */
	record PlanChange(long id, String databaseId, String fromPlan, String toPlan) {
	}

	/**
	 * Records a {@code scheduled} change and answers its id.
	 * @throws org.springframework.dao.DuplicateKeyException when another change of the database is in flight
	 */
	long insert(String databaseId, String fromPlan, String toPlan, String requestedBy, Instant requestedAt,
			String instanceId) {
		return this.jdbc.sql("""
				insert into plan_changes (database_id, from_plan, to_plan, requested_by, requested_at, instance_id, status)
				values (?, ?, ?, ?, ?, ?, 'scheduled') returning id
				""")
			.params(databaseId, fromPlan, toPlan, requestedBy, Timestamp.from(requestedAt), instanceId)
			.query(Long.class)
			.single();
	}

	void jobStarted(long id, long jobExecutionId) {
		this.jdbc.sql("update plan_changes set job_execution_id = ? where id = ?").params(jobExecutionId, id).update();
	}

	Optional<PlanChange> find(long id) {
		return this.jdbc.sql("select id, database_id, from_plan, to_plan from plan_changes where id = ?")
			.params(id)
			.query((rs, row) -> new PlanChange(rs.getLong("id"), rs.getString("database_id"), rs.getString("from_plan"),
					rs.getString("to_plan")))
			.optional();
	}

	/** Its job runs it now (see {@link RunTransition}: its life is {@link RunStatus}'s). */
	void running(long id) {
		RunTransition.apply(this.jdbc, "plan_changes", id, "plan change " + id, RunStatus.SCHEDULED,
				RunStatus.RUNNING, "", Map.of());
	}

	/**
	 * Takes a change still in flight for settling it after a failure: it is {@code error} with the reason
	 * from now on. Answers whether this call took it: a change that completed, or that another instance's
	 * recovery already took, is not settled twice.
	 */
	boolean claimFailed(long id, String error, Instant at) {
		return this.jdbc.sql("""
				update plan_changes set status = 'error', error = ?, finished_at = ?
				where id = ? and status in ('scheduled', 'running')
				""").params(error, Timestamp.from(at), id).update() == 1;
	}

	/**
	 * Marks a change still {@code running} done. Answers whether it was: one that a recovery took for
	 * failed meanwhile is not.
	 */
	boolean done(long id, Instant at) {
		return this.jdbc.sql("update plan_changes set status = 'done', finished_at = ? where id = ? and status = 'running'")
			.params(Timestamp.from(at), id)
			.update() == 1;
	}

	/** Fails a change whose job could not start; answers whether it was still in flight. */
	boolean notStarted(long id, String error, Instant at) {
		return RunTransition.failInFlight(this.jdbc, "plan_changes", id, "error = :error, finished_at = :at",
				Map.of("error", error, "at", Timestamp.from(at)));
	}

	/** A change whose instance stopped while it ran, with its job's execution. */
	public record Interrupted(long id, String databaseId, Long jobExecutionId) {
	}

	/**
	 * Changes in flight whose instance is gone: this instance's own from before its start (a restart), or
	 * another's that has not checked in to the cluster ({@code qrtz_scheduler_state}) since {@code silentSince}.
	 */
	public List<Interrupted> interrupted(StoppedInstances stopped) {
		return stopped.bind(this.jdbc.sql("""
				select c.id, c.database_id, c.job_execution_id from plan_changes c
				where c.status in ('scheduled', 'running') and """
				+ StoppedInstances.condition("c.instance_id", "c.requested_at")))
			.query((rs, row) -> new Interrupted(rs.getLong("id"), rs.getString("database_id"),
					rs.getObject("job_execution_id", Long.class)))
			.list();
	}

	/** Why the database's latest plan change failed, or empty when it did not fail. */
	Optional<String> lastError(String databaseId) {
		return this.jdbc.sql("""
				select error from plan_changes where database_id = ? order by requested_at desc, id desc limit 1
				""").param(databaseId).query(String.class).optional();
	}

	/** The nodes took the new plan: the catalogue says so, and whether sentinels now watch the primary. */
	void changePlan(String databaseId, String plan, String sentinelMaster) {
		this.jdbc.sql("update databases set plan = ?, sentinel_master = ? where id = ?")
			.params(plan, sentinelMaster, databaseId)
			.update();
	}

}
