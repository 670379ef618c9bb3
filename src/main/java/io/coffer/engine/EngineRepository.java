package io.coffer.engine;

import java.sql.ResultSet;
import java.sql.SQLException;
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
 * The engine versions the catalogue records (a database's, and a node's while an upgrade moves it
 * ahead), and the {@code engine_upgrades} rows: each upgrade asked, by whom and when, and how it ended.
 */
@Repository
public class EngineRepository {

	public static final String SCHEDULED = "scheduled";

	public static final String RUNNING = "running";

	public static final String DONE = "done";

	public static final String ERROR = "error";

	/** The error of an upgrade whose instance stopped while running it. */
	public static final String INTERRUPTED = "interrupted: the Coffer instance running it stopped; look at the nodes, "
			+ "then ask again";

	private final JdbcClient jdbc;

	EngineRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** The version the database's data nodes run, when Coffer chose it. */
	public Optional<String> databaseVersion(String databaseId) {
		return this.jdbc.sql("select engine_version from databases where id = ?")
			.param(databaseId)
			.query(String.class)
			.optional();
	}

	/** Records the version of a database that has none yet; answers whether it did. */
	public boolean recordIfNone(String databaseId, String version) {
		return this.jdbc.sql("update databases set engine_version = ? where id = ? and engine_version is null")
			.params(version, databaseId)
			.update() == 1;
	}

	/** The database runs {@code version} everywhere now: its nodes follow it again. */
	public void upgraded(String databaseId, String version) {
		this.jdbc.sql("update databases set engine_version = ? where id = ?").params(version, databaseId).update();
		this.jdbc.sql("update nodes set engine_version = null where database_id = ?").param(databaseId).update();
	}

	/** The version a node runs: its own while an upgrade moved it ahead, else its database's; null when neither. */
	public String nodeVersion(String databaseId, String nodeName) {
		return this.jdbc.sql("""
				select coalesce(n.engine_version, d.engine_version) from databases d
				left join nodes n on n.database_id = d.id and n.driver_data ->> 'name' = ?
				where d.id = ?
				""").params(nodeName, databaseId).query(String.class).optional().orElse(null);
	}

	/** Moves one node to {@code version} ahead of its database, or back with {@code null}. */
	public void nodeVersion(String databaseId, String nodeName, String version) {
		this.jdbc.sql("update nodes set engine_version = ? where database_id = ? and driver_data ->> 'name' = ?")
			.params(version, databaseId, nodeName)
			.update();
	}

	/**
	 * Records a {@code scheduled} upgrade and answers its id.
	 * @throws org.springframework.dao.DuplicateKeyException while another upgrade of the database is not finished
	 */
	public long insert(String databaseId, String from, String to, String requestedBy, Instant requestedAt,
			String instanceId) {
		return this.jdbc.sql("""
				insert into engine_upgrades (database_id, from_version, to_version, requested_by, requested_at,
				                             instance_id, status)
				values (?, ?, ?, ?, ?, ?, 'scheduled') returning id
				""")
			.params(databaseId, from, to, requestedBy, Timestamp.from(requestedAt), instanceId)
			.query(Long.class)
			.single();
	}

	public void jobStarted(long id, long jobExecutionId) {
		this.jdbc.sql("update engine_upgrades set job_execution_id = ? where id = ?").params(jobExecutionId, id).update();
	}

	public Optional<Upgrade> find(long id) {
		return this.jdbc.sql("select * from engine_upgrades where id = ?").param(id).query(this::upgrade).optional();
	}

	/** The database's upgrades, newest first. */
	public List<Upgrade> of(String databaseId, int limit) {
		return this.jdbc.sql("select * from engine_upgrades where database_id = ? order by requested_at desc, id desc limit ?")
			.params(databaseId, limit)
			.query(this::upgrade)
			.list();
	}

	/** Its job runs it now (see {@link RunTransition}: its life is {@link RunStatus}'s). */
	public void running(long id) {
		RunTransition.apply(this.jdbc, "engine_upgrades", id, "engine upgrade " + id, RunStatus.SCHEDULED,
				RunStatus.RUNNING, "", Map.of());
	}

	/** Every node runs the new version. */
	public void done(long id, Instant at) {
		RunTransition.apply(this.jdbc, "engine_upgrades", id, "engine upgrade " + id, RunStatus.RUNNING,
				RunStatus.DONE, "finished_at = :at", Map.of("at", Timestamp.from(at)));
	}

	/**
	 * Fails the upgrade if it is still in flight; answers whether this call did (one that a recovery marked
	 * interrupted first keeps that reason).
	 */
	public boolean failed(long id, String error, Instant at) {
		return RunTransition.failInFlight(this.jdbc, "engine_upgrades", id, "error = :error, finished_at = :at",
				Map.of("error", error, "at", Timestamp.from(at)));
	}

	/**
	 * Marks {@code error} the unfinished upgrades whose instance stopped: they will not go on, and would
	 * refuse every later upgrade (and configuration changes and restores). Stopped: this very instance
	 * before its start, or another one without a check-in to the cluster (Quartz's
	 * {@code qrtz_scheduler_state}) since {@code silentSince}.
	 * @param databaseId the database whose upgrade to look at, or null for every database's
	 * @return the upgrades marked, as they are now
	 */
	public List<Upgrade> interruptAbandoned(String databaseId, StoppedInstances stopped, Instant at) {
		return stopped.bind(this.jdbc.sql("""
				update engine_upgrades u set status = 'error', finished_at = :at, error = :error
				where (cast(:database as text) is null or u.database_id = :database)
				    and u.status in ('scheduled', 'running') and """
				+ StoppedInstances.condition("u.instance_id", "u.requested_at") + " returning u.*"))
			.param("at", Timestamp.from(at))
			.param("database", databaseId)
			.param("error", INTERRUPTED)
			.query(this::upgrade)
			.list();
	}

	/**
	 * Keeps the primary's {@code min-replicas-to-write} before the upgrade fences it, so that the fence can be
	 * lifted even when the instance running the upgrade stops before it does.
	 */
	public void fenced(long id, String minReplicasToWrite) {
		this.jdbc.sql("update engine_upgrades set write_fence = ? where id = ?").params(minReplicasToWrite, id).update();
	}

	/** The fence of the upgrade is lifted on every data node. */
	public void fenceLifted(long id) {
		this.jdbc.sql("update engine_upgrades set write_fence = null where id = ?").param(id).update();
	}

	/**
	 * The write fences that finished upgrades left up (their instance stopped, or lifting failed).
	 * @param databaseId the database whose fences to answer, or null for those of every database that no
	 * upgrade is working on (an upgrade lifts those of its database itself before it starts)
	 */
	public List<WriteFence> fencesLeft(String databaseId) {
		return this.jdbc.sql("""
				select id, database_id, write_fence from engine_upgrades u
				where u.write_fence is not null and u.status in ('done', 'error')
				    and (u.database_id = :database or (cast(:database as text) is null and not exists (
				        select 1 from engine_upgrades o
				        where o.database_id = u.database_id and o.status in ('scheduled', 'running'))))
				order by u.id
				""")
			.param("database", databaseId)
			.query((rs, rowNum) -> new WriteFence(rs.getLong("id"), rs.getString("database_id"),
					rs.getString("write_fence")))
			.list();
	}

	private Upgrade upgrade(ResultSet rs, int rowNum) throws SQLException {
		Timestamp finished = rs.getTimestamp("finished_at");
		long job = rs.getLong("job_execution_id");
		boolean noJob = rs.wasNull();
		return new Upgrade(rs.getLong("id"), rs.getString("database_id"), rs.getString("from_version"),
				rs.getString("to_version"), rs.getString("requested_by"), rs.getTimestamp("requested_at").toInstant(),
				noJob ? null : job, rs.getString("status"), rs.getString("error"),
				(finished != null) ? finished.toInstant() : null);
	}

	/**
	 * A write fence an upgrade left up on its database's data nodes.
	 * @param upgradeId the upgrade that put it up
	 * @param minReplicasToWrite the value to put back
	 */
	public record WriteFence(long upgradeId, String databaseId, String minReplicasToWrite) {
	}

	/** An {@code engine_upgrades} row. */
	public record Upgrade(long id, String databaseId, String fromVersion, String toVersion, String requestedBy,
			Instant requestedAt, Long job, String status, String error, Instant finishedAt) {
	}

}
