package io.coffer.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Restore rows. Status changes go through {@link #transition}, checked against {@link RunStatus} and
 * applied only if the row still has the status the caller saw.
 */
@Repository
public class RestoreRepository {

	private static final TypeReference<Map<String, Object>> CHECKS = new TypeReference<>() {
	};

	private static final TypeReference<List<String>> PATTERNS = new TypeReference<>() {
	};

	private final JdbcClient jdbc;

	private final JsonMapper json;

	RestoreRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/**
	 * Inserts a {@code scheduled} restore.
	 * @throws RestoreInFlightException when the database, or the target, already has a restore in flight
	 */
	public void insertScheduled(String id, String databaseId, String backupId, String target, String targetDatabase,
			Instant createdAt, String instanceId) {
		insertScheduled(id, databaseId, backupId, target, targetDatabase, createdAt, instanceId, null, false);
	}

	/**
	 * Inserts a {@code scheduled} restore of the keys matching {@code keyPatterns} (null: the whole backup).
	 * @param dryRun whether it only counts what it would write
	 * @throws RestoreInFlightException when the database, or the target, already has a restore in flight
	 */
	public void insertScheduled(String id, String databaseId, String backupId, String target, String targetDatabase,
			Instant createdAt, String instanceId, List<String> keyPatterns, boolean dryRun) {
		insert(id, databaseId, backupId, target, targetDatabase, createdAt, instanceId, keyPatterns, dryRun, null);
	}

	private void insert(String id, String databaseId, String backupId, String target, String targetDatabase,
			Instant createdAt, String instanceId, List<String> keyPatterns, boolean dryRun, Instant pointInTime) {
		try {
			this.jdbc.sql("""
					insert into restores (id, database_id, backup_id, target, target_database, status, created_at,
					    instance_id, key_patterns, dry_run, point_in_time)
					values (?, ?, ?, ?, ?, 'scheduled', ?, ?, cast(? as jsonb), ?, ?)
					""").params(id, databaseId, backupId, target, targetDatabase, Timestamp.from(createdAt), instanceId,
						(keyPatterns != null) ? this.json.writeValueAsString(keyPatterns) : null, dryRun,
						(pointInTime != null) ? Timestamp.from(pointInTime) : null)
				.update();
		}
		catch (DuplicateKeyException ex) {
			throw new RestoreInFlightException(databaseId);
		}
	}

	/**
	 * Inserts a {@code scheduled} restore of the database as of {@code pointInTime}, from the base backup
	 * {@code baseBackupId}.
	 * @throws RestoreInFlightException when the database, or the target, already has a restore in flight
	 */
	public void insertScheduledAt(String id, String databaseId, String baseBackupId, Instant pointInTime,
			String target, String targetDatabase, Instant createdAt, String instanceId) {
		insert(id, databaseId, baseBackupId, target, targetDatabase, createdAt, instanceId, null, false, pointInTime);
	}

	public Optional<Restore> find(String databaseId, String restoreId) {
		return this.jdbc.sql("select * from restores where database_id = ? and id = ?")
			.params(databaseId, restoreId)
			.query(this::row)
			.optional();
	}

	/** The database a restore belongs to. */
	public String databaseOf(String restoreId) {
		return this.jdbc.sql("select database_id from restores where id = ?").param(restoreId).query(String.class).single();
	}

	public void markRunning(String restoreId, long jobExecutionId, Instant now) {
		transition(restoreId, RunStatus.SCHEDULED, RunStatus.RUNNING,
				"job_execution_id = :execution, started_at = :now",
				Map.of("execution", jobExecutionId, "now", Timestamp.from(now)));
	}

	/** Replaces what the restore has checked so far; the row stays in its status. */
	public void recordChecks(String restoreId, Map<String, Object> checks) {
		this.jdbc.sql("update restores set checks = cast(? as jsonb) where id = ?")
			.params(this.json.writeValueAsString(checks), restoreId)
			.update();
	}

	/**
	 * Writes what the restore has changed on its target so far, before and after each change, so that
	 * another instance can undo it if this one stops (see {@code recovery} in V44).
	 */
	public void recordRecovery(String restoreId, Map<String, Object> journal) {
		this.jdbc.sql("update restores set recovery = cast(? as jsonb) where id = ?")
			.params(this.json.writeValueAsString(journal), restoreId)
			.update();
	}

	/** What state a failed restore left its target in, once that is known. */
	public void recordTargetState(String restoreId, String targetState) {
		this.jdbc.sql("update restores set target_state = ? where id = ?").params(targetState, restoreId).update();
	}

	/** A restore whose instance stopped, with its recovery journal (null if it had not touched the target). */
	public record Interrupted(String id, String databaseId, String targetDatabase, String instanceId,
			Long jobExecutionId, Map<String, Object> recovery) {
	}

	/**
	 * Restores still {@code scheduled} or {@code running} whose instance is gone: this instance before its
	 * last start, or another that has not checked in with the Quartz cluster since {@code silentSince}.
	 */
	public List<Interrupted> findInterrupted(StoppedInstances stopped) {
		return stopped.bind(this.jdbc.sql("""
				select r.id, r.database_id, r.target_database, r.instance_id, r.job_execution_id, r.recovery
				from restores r
				where r.status in ('scheduled', 'running') and """
				+ StoppedInstances.condition("r.instance_id", "r.created_at")))
			.query((rs, i) -> {
				String recovery = rs.getString("recovery");
				return new Interrupted(rs.getString("id"), rs.getString("database_id"), rs.getString("target_database"),
						rs.getString("instance_id"), rs.getObject("job_execution_id", Long.class),
						(recovery != null) ? this.json.readValue(recovery, CHECKS) : null);
			})
			.list();
	}

	/** Restores in flight, across the cluster. */
	public long countInFlight() {
		return this.jdbc.sql("select count(*) from restores where status in ('scheduled', 'running')")
			.query(Long.class)
			.single();
	}

	public void markDone(String restoreId, Instant now) {
		transition(restoreId, RunStatus.RUNNING, RunStatus.DONE, "finished_at = :now",
				Map.of("now", Timestamp.from(now)));
	}

	/** Marks a scheduled or running restore as failed: why, and what state the target is in. */
	public void markError(String restoreId, String error, String targetState, Instant now) {
		Restore restore = this.jdbc.sql("select * from restores where id = ?")
			.param(restoreId)
			.query(this::row)
			.single();
		transition(restoreId, restore.status(), RunStatus.ERROR,
				"error = :error, target_state = :state, finished_at = :now",
				Map.of("error", error, "state", targetState, "now", Timestamp.from(now)));
	}

	private void transition(String restoreId, RunStatus from, RunStatus to, String assignments,
			Map<String, Object> values) {
		RunTransition.apply(this.jdbc, "restores", restoreId, "restore " + restoreId, from, to, assignments, values);
	}

	private Restore row(ResultSet rs, int rowNum) throws SQLException {
		String checks = rs.getString("checks");
		String patterns = rs.getString("key_patterns");
		return new Restore(rs.getString("id"), rs.getString("database_id"), rs.getString("backup_id"),
				rs.getString("target"), rs.getString("target_database"), RunStatus.of(rs.getString("status")),
				instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"),
				(checks != null) ? this.json.readValue(checks, CHECKS) : null, rs.getString("error"),
				rs.getString("target_state"), rs.getObject("job_execution_id", Long.class),
				(patterns != null) ? this.json.readValue(patterns, PATTERNS) : null, rs.getBoolean("dry_run"),
				instant(rs, "point_in_time"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp timestamp = rs.getTimestamp(column);
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	/** A database already has a restore scheduled or running. */
	public static class RestoreInFlightException extends RuntimeException {

		RestoreInFlightException(String databaseId) {
			super("a restore of " + databaseId + " is already running");
		}

	}

}
