package io.coffer.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

// Longer than 400 lines because every statement on the backups table lives here (the launcher's,
// recovery's, retention's, the orphan sweep's, the re-wrap's, the metrics'), so that a change of the
// table, or of what a status means, is made and reviewed in one file.
/**
 * Backup rows. Every status change goes through {@link #transition}: it checks the change against
 * {@link RunStatus} and applies it only if the row still has the status the caller saw, so that two
 * instances racing on one backup cannot both win.
 */
@Repository
public class BackupRepository {

	private static final TypeReference<Map<String, Long>> KEYS_PER_DB = new TypeReference<>() {
	};

	private final JdbcClient jdbc;

	private final JsonMapper json;

	BackupRepository(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/**
	 * Inserts a {@code scheduled} backup.
	 * @throws BackupInFlightException when the database already has a backup scheduled or running
	 */
	public void insertScheduled(String id, String databaseId, Instant createdAt, String name, String method,
			String objectKey) {
		insertScheduled(id, databaseId, createdAt, name, method, objectKey, null);
	}

	/**
	 * Inserts a {@code scheduled} backup run by the given instance of the cluster.
	 * @throws BackupInFlightException when the database already has a backup scheduled or running
	 */
	public void insertScheduled(String id, String databaseId, Instant createdAt, String name, String method,
			String objectKey, String instanceId) {
		insertScheduled(id, databaseId, createdAt, name, method, objectKey, instanceId, null, 1);
	}

	/**
	 * Inserts a {@code scheduled} backup run by the given instance, which runs the failed backup {@code retryOf}
	 * (null for a first attempt) again as attempt number {@code attempt}.
	 * @throws BackupInFlightException when the database already has a backup scheduled or running
	 */
	public void insertScheduled(String id, String databaseId, Instant createdAt, String name, String method,
			String objectKey, String instanceId, String retryOf, int attempt) {
		try {
			this.jdbc.sql("""
					insert into backups (id, database_id, created_at, name, status, method, object_key, instance_id,
					    retry_of, attempt)
					values (?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?)
					""").params(id, databaseId, Timestamp.from(createdAt), name, method, objectKey, instanceId, retryOf,
					attempt).update();
		}
		catch (DuplicateKeyException ex) {
			if (String.valueOf(ex.getMessage()).contains("backups_object_key")) {
				throw new IllegalStateException("backup object " + objectKey + " is already taken", ex);
			}
			throw new BackupInFlightException(databaseId);
		}
	}

	/** When the database's newest backup was created, if it has any. */
	public Optional<Instant> latestCreatedAt(String databaseId) {
		return this.jdbc.sql("select max(created_at) from backups where database_id = ?")
			.param(databaseId)
			.query((rs, i) -> instant(rs, 1))
			.optional();
	}

	public Optional<Backup> find(String databaseId, String backupId) {
		return this.jdbc.sql("select * from backups where database_id = ? and id = ?")
			.params(databaseId, backupId)
			.query(this::row)
			.optional();
	}

	/**
	 * What {@code latest} means everywhere (downloads, restores, drills): the newest {@code done} backup that no
	 * download, restore or drill found damaged ({@code integrity_error}). A damaged one is never chosen for the
	 * user; it can still be named by its id.
	 */
	public Optional<Backup> findLatestGood(String databaseId) {
		return this.jdbc.sql("""
				select * from backups where database_id = ? and status = 'done' and integrity_error is null
				and deleting_at is null order by created_at desc, id desc limit 1
				""").param(databaseId).query(this::row).optional();
	}

	/**
	 * The newest intact done backup whose dump stands at a known replication position: where point-in-time
	 * recovery can start the archived stream from.
	 */
	public Optional<Backup> findLatestBase(String databaseId) {
		return this.jdbc.sql("""
				select * from backups where database_id = ? and status = 'done' and integrity_error is null
				and deleting_at is null and replication_id is not null order by created_at desc, id desc limit 1
				""").param(databaseId).query(this::row).optional();
	}

	/** The done backup whose dump stands at exactly this position, if there is one. */
	public Optional<Backup> findAtPosition(String databaseId, ReplicationPosition position) {
		return this.jdbc.sql("""
				select * from backups where database_id = ? and status = 'done' and deleting_at is null
				and replication_id = ? and replication_offset = ? order by created_at limit 1
				""").params(databaseId, position.replid(), position.offset()).query(this::row).optional();
	}

	/**
	 * Why {@link #findLatestGood} found nothing, as a sentence: no successful backup yet, or only damaged ones,
	 * which were skipped.
	 */
	public String noGoodBackup(String databaseId) {
		int damaged = this.jdbc.sql("""
				select count(*) from backups where database_id = ? and status = 'done' and integrity_error is not null
				and deleting_at is null
				""").param(databaseId).query(Integer.class).single();
		if (damaged == 0) {
			return databaseId + " has no successful backup yet";
		}
		return databaseId + " has no intact backup: " + ((damaged == 1) ? "its only done backup was" : "its " + damaged
				+ " done backups were") + " found damaged (integrity_error) and skipped; take a new backup, or name a"
				+ " damaged one by its id to try it anyway";
	}

	public Optional<Backup> findInFlight(String databaseId) {
		return this.jdbc.sql("select * from backups where database_id = ? and status in ('scheduled', 'running')")
			.param(databaseId)
			.query(this::row)
			.optional();
	}

	/** Newest first; without those being deleted by retention. */
	/** Each database's newest backup, whatever its status, by database id: one query for a whole list. */
	public Map<String, Backup> findNewestOfEach() {
		Map<String, Backup> newest = new HashMap<>();
		this.jdbc.sql("""
				select distinct on (database_id) * from backups where deleting_at is null
				order by database_id, created_at desc, id desc
				""").query(this::row).list().forEach((backup) -> newest.put(backup.databaseId(), backup));
		return newest;
	}

	public List<Backup> findAll(String databaseId) {
		return this.jdbc.sql("""
				select * from backups where database_id = ? and deleting_at is null order by created_at desc, id desc
				""")
			.param(databaseId)
			.query(this::row)
			.list();
	}

	public void markRunning(String backupId, Backup.NodeUsed node, long jobExecutionId, Instant now) {
		transition(backupId, RunStatus.SCHEDULED, RunStatus.RUNNING, """
				node_role = :role, node_host = :host, node_port = :port, node_reason = :reason,
				job_execution_id = :execution, started_at = :now""", Map.of("role", node.role(), "host", node.host(),
				"port", node.port(), "reason", node.reason(), "execution", jobExecutionId, "now", Timestamp.from(now)));
	}

	/** The object keys of every backup row, whatever its status: what the bucket is expected to hold. */
	public Set<String> objectKeys() {
		return new HashSet<>(this.jdbc.sql("select object_key from backups").query(String.class).list());
	}

	/**
	 * Puts back the {@code done} row of a backup whose object survived the loss of its row (see
	 * {@code CatalogueRebuild}); {@code finishedAt} is when the object was stored.
	 */
	public void insertRebuilt(Backup backup, Instant finishedAt) {
		Map<String, Object> values = new HashMap<>();
		values.put("id", backup.id());
		values.put("databaseId", backup.databaseId());
		values.put("createdAt", Timestamp.from(backup.createdAt()));
		values.put("name", backup.name());
		values.put("method", backup.method());
		values.put("role", (backup.node() != null) ? backup.node().role() : null);
		values.put("host", (backup.node() != null) ? backup.node().host() : null);
		values.put("port", (backup.node() != null && backup.node().host() != null) ? backup.node().port() : null);
		values.put("reason", (backup.node() != null) ? backup.node().reason() : null);
		values.put("objectKey", backup.objectKey());
		values.put("archiveSize", backup.archiveSize());
		values.put("archiveSha256", backup.archiveSha256());
		values.put("storedSize", backup.storedSize());
		values.put("storedSha256", backup.storedSha256());
		values.put("keyId", backup.keyId());
		values.put("redisVersion", backup.redisVersion());
		values.put("rdbVersion", backup.rdbVersion());
		values.put("rdbSize", backup.rdbSize());
		values.put("keys", (backup.keysPerDb() != null) ? this.json.writeValueAsString(backup.keysPerDb()) : null);
		values.put("finishedAt", (finishedAt != null) ? Timestamp.from(finishedAt) : null);
		values.put("replid", (backup.replication() != null) ? backup.replication().replid() : null);
		values.put("replOffset", (backup.replication() != null) ? backup.replication().offset() : null);
		this.jdbc.sql("""
				insert into backups (id, database_id, created_at, name, status, method, node_role, node_host, node_port,
				    node_reason, object_key, archive_size, archive_sha256, stored_size, stored_sha256, key_id,
				    redis_version, rdb_version, rdb_size, keys_per_db, bytes_processed, finished_at, copy_state,
				    replication_id, replication_offset)
				values (:id, :databaseId, :createdAt, :name, 'done', :method, :role, :host, :port, :reason, :objectKey,
				    :archiveSize, :archiveSha256, :storedSize, :storedSha256, :keyId, :redisVersion, :rdbVersion,
				    :rdbSize, cast(:keys as jsonb), coalesce(:rdbSize, 0), :finishedAt, 'pending', :replid, :replOffset)
				""").params(values).update();
	}

	/** An import's row becomes {@code running}: no job runs it, the request that uploads the dump does. */
	public void markImporting(String backupId, Backup.NodeUsed node, Instant now) {
		transition(backupId, RunStatus.SCHEDULED, RunStatus.RUNNING, """
				node_role = :role, node_host = :host, node_port = :port, node_reason = :reason,
				started_at = :now""", nodeValues(node, now));
	}

	private static Map<String, Object> nodeValues(Backup.NodeUsed node, Instant now) {
		// an import has no host: a HashMap takes the null
		Map<String, Object> values = new HashMap<>();
		values.put("role", node.role());
		values.put("host", node.host());
		values.put("port", (node.host() != null) ? node.port() : null);
		values.put("reason", node.reason());
		values.put("now", Timestamp.from(now));
		return values;
	}

	/**
	 * Removes the row of a backup that never became {@code done}, such as an import whose upload was
	 * refused: the client was told why, and nothing of it was kept.
	 */
	public void deleteUnfinished(String backupId) {
		this.jdbc.sql("delete from backups where id = ? and status <> 'done'").param(backupId).update();
	}

	/** Where the running backup's dump stands in the node's replication history, as the node announced it. */
	public void recordReplicationPosition(String backupId, ReplicationPosition position) {
		this.jdbc.sql("""
				update backups set replication_id = ?, replication_offset = ? where id = ? and status = 'running'
				""").params(position.replid(), position.offset(), backupId).update();
	}

	/**
	 * Records how far a running backup got.
	 * @throws BackupTakenOver when the row is no longer {@code running}: another instance recorded it as
	 * interrupted, and this one must stop
	 */
	public void recordProgress(String backupId, long bytesProcessed) {
		if (this.jdbc.sql("update backups set bytes_processed = ? where id = ? and status = 'running'")
			.params(bytesProcessed, backupId)
			.update() != 1) {
			throw new BackupTakenOver(backupId, null);
		}
	}

	public void markDone(String backupId, Backup.Outcome outcome, Instant now) {
		transition(backupId, RunStatus.RUNNING, RunStatus.DONE, """
				archive_size = :archiveSize, archive_sha256 = :archiveSha256, stored_size = :storedSize,
				stored_sha256 = :storedSha256, key_id = :keyId, redis_version = :redisVersion,
				rdb_version = :rdbVersion, rdb_size = :rdbSize, keys_per_db = cast(:keys as jsonb),
				bytes_processed = :rdbSize, finished_at = :now, copy_state = 'pending'""",
				outcomeValues(outcome, now));
	}

	private Map<String, Object> outcomeValues(Backup.Outcome outcome, Instant now) {
		// a HashMap: an import's Redis version and key counts are unknown, and null
		Map<String, Object> values = new HashMap<>();
		values.put("archiveSize", outcome.archiveSize());
		values.put("archiveSha256", outcome.archiveSha256());
		values.put("storedSize", outcome.storedSize());
		values.put("storedSha256", outcome.storedSha256());
		values.put("keyId", outcome.keyId());
		values.put("redisVersion", outcome.redisVersion());
		values.put("rdbVersion", outcome.rdbVersion());
		values.put("rdbSize", outcome.rdbSize());
		values.put("keys", (outcome.keysPerDb() != null) ? this.json.writeValueAsString(outcome.keysPerDb()) : null);
		values.put("now", Timestamp.from(now));
		return values;
	}

	/** Marks a scheduled or running backup as failed, with a sentence for the user. */
	public void markError(String backupId, String error, Instant now) {
		Backup backup = this.jdbc.sql("select * from backups where id = ?").param(backupId).query(this::row).single();
		if (backup.status() == RunStatus.DONE) {
			throw new RunStatus.IllegalStateTransitionException("backup " + backupId + " is done: it did not fail");
		}
		transition(backupId, backup.status(), RunStatus.ERROR, "error = :error, finished_at = :now",
				Map.of("error", error, "now", Timestamp.from(now)));
	}

	/**
	 * Records the outcome of reading a backup's stored object back: {@code problem} is why it failed
	 * authentication, or null when it was read whole and matched. Not a status change: the backup was
	 * done, and what it produced is what is in doubt.
	 */
	public void recordIntegrityCheck(String backupId, String problem, Instant now) {
		this.jdbc.sql("update backups set integrity_error = ?, integrity_checked_at = ? where id = ?")
			.params(problem, Timestamp.from(now), backupId)
			.update();
	}

	/**
	 * Records a verification of the backup ({@code verifyBackupsJob}): its stored object read whole;
	 * {@code problem} is what was wrong with it, or null when it was sound. A sound read never clears what
	 * another check found meanwhile: a drill finds what a read cannot (a dump that Redis refuses to load).
	 */
	public void recordVerification(String backupId, String problem, Instant now) {
		this.jdbc.sql("""
				update backups set integrity_error = coalesce(?, integrity_error), integrity_checked_at = ?, verified_at = ?
				where id = ?
				""")
			.params(problem, Timestamp.from(now), Timestamp.from(now), backupId)
			.update();
	}

	/**
	 * Done backups that retention keeps and that nothing found damaged yet, of one database or of all
	 * ({@code databaseId} null), not verified since {@code verifiedBefore} (null: however recently), in the
	 * order {@code verifyBackupsJob} reads them: never verified first (oldest first), then those verified
	 * longest ago.
	 */
	public List<Backup> findToVerify(String databaseId, Instant verifiedBefore) {
		Map<String, Object> values = new HashMap<>();
		values.put("database", databaseId);
		values.put("before", (verifiedBefore != null) ? Timestamp.from(verifiedBefore) : null);
		return this.jdbc.sql("""
				select * from backups where status = 'done' and deleting_at is null and integrity_error is null
				and (cast(:database as text) is null or database_id = :database)
				and (cast(:before as timestamptz) is null or verified_at is null or verified_at < :before)
				order by verified_at nulls first, created_at, id
				""").params(values).query(this::row).list();
	}

	/**
	 * Keys with a time to live per logical database ({@code db0 → n}), counted from the dump: kept apart
	 * from the row's record since only restores and drills need them.
	 */
	public void recordExpiringKeys(String backupId, Map<String, Long> expiringKeysPerDb) {
		this.jdbc.sql("update backups set expiring_keys_per_db = cast(? as jsonb) where id = ?")
			.params(this.json.writeValueAsString(new TreeMap<>(expiringKeysPerDb)), backupId)
			.update();
	}

	/** What {@link #recordExpiringKeys} recorded; empty for backups made before it was counted. */
	public Optional<Map<String, Long>> expiringKeys(String backupId) {
		return this.jdbc.sql("select expiring_keys_per_db from backups where id = ?")
			.param(backupId)
			.query((rs, rowNum) -> rs.getString(1))
			.list()
			.stream()
			.filter(Objects::nonNull)
			.findFirst()
			.map((text) -> this.json.readValue(text, KEYS_PER_DB));
	}

	/** Each live database's last successful backup, when it finished, by database id. */
	public Map<String, Instant> lastSuccessOfEachLiveDatabase() {
		Map<String, Instant> last = new HashMap<>();
		this.jdbc.sql("""
				select b.database_id, max(b.finished_at) as finished_at from backups b
				join databases d on d.id = b.database_id and d.deleted_at is null
				where b.status = 'done' and b.finished_at is not null group by b.database_id
				""").query((rs) -> {
			last.put(rs.getString("database_id"), rs.getTimestamp("finished_at").toInstant());
		});
		return last;
	}

	/** Backups in flight, across the cluster. */
	public long countInFlight() {
		return this.jdbc.sql("select count(*) from backups where status in ('scheduled', 'running')")
			.query(Long.class)
			.single();
	}

	/** Done backups, not being deleted, whose data key the key does not wrap (or none does), oldest first. */
	public List<Backup> findDoneNotWrappedBy(String keyId) {
		return this.jdbc.sql("""
				select * from backups
				where status = 'done' and deleting_at is null and key_id is distinct from ?
				order by created_at
				""").param(keyId).query(this::row).list();
	}

	/** Done backups, not being deleted, whose data key this key wraps. */
	public long countDoneWrappedBy(String keyId) {
		return this.jdbc.sql("""
				select count(*) from backups where key_id = ? and status = 'done' and deleting_at is null
				""").param(keyId).query(Long.class).single();
	}

	/**
	 * Records a re-wrap of the data key, if the row still names the key it was read with and is kept.
	 * @return whether it was recorded
	 */
	public boolean recordRewrapped(String backupId, String fromKeyId, String toKeyId, String storedSha256) {
		// the copy holds the old object: it is copied again, and no read falls back on it meanwhile
		return this.jdbc.sql("""
				update backups set key_id = ?, stored_sha256 = ?, copy_state = 'pending', copy_error = null,
				primary_error = null
				where id = ? and key_id = ? and status = 'done' and deleting_at is null
				""").params(toKeyId, storedSha256, backupId, fromKeyId).update() == 1;
	}

	/** Whether the row still exists and retention has not marked it for deletion. */
	public boolean isKept(String backupId) {
		return this.jdbc.sql("select count(*) from backups where id = ? and deleting_at is null")
			.param(backupId)
			.query(Long.class)
			.single() > 0;
	}

	/** Every backup that retention has not marked for deletion, whatever its status. */
	public List<Backup> findAllKept() {
		return this.jdbc.sql("select * from backups where deleting_at is null").query(this::row).list();
	}

	/** A database that has backups, deleted or not, with what its retention depends on. */
	public record DatabaseOfBackups(String id, String plan, Instant deletedAt) {
	}

	/** Databases that have backups, deleted ones included. */
	public List<DatabaseOfBackups> databasesWithBackups() {
		return this.jdbc.sql("""
				select id, plan, deleted_at from databases d
				where exists (select 1 from backups b where b.database_id = d.id) order by id
				""").query((rs, i) -> new DatabaseOfBackups(rs.getString("id"), rs.getString("plan"),
				instant(rs, "deleted_at"))).list();
	}

	/** A backup that retention marked for deletion, with its object to delete first. */
	public record MarkedForDeletion(String id, String objectKey) {
	}

	/**
	 * Retention's step 1: the row is marked, which hides it from the API. Only finished backups that no
	 * restore in flight reads.
	 * @return 1 when marked, 0 when not (in flight, read by a restore, or marked already)
	 */
	public int markForDeletion(String backupId, Instant now) {
		return this.jdbc.sql("""
				update backups set deleting_at = ? where id = ? and status in ('done', 'error') and deleting_at is null
				and not exists (select 1 from restores r where r.backup_id = backups.id and r.status in ('scheduled', 'running'))
				""").params(Timestamp.from(now), backupId).update();
	}

	/** Rows marked for deletion, oldest marks first. */
	public List<MarkedForDeletion> findMarkedForDeletion() {
		return this.jdbc.sql("select id, object_key from backups where deleting_at is not null order by deleting_at, id")
			.query((rs, i) -> new MarkedForDeletion(rs.getString("id"), rs.getString("object_key")))
			.list();
	}

	/** Retention's step 3, once the object is gone. */
	public void deleteMarked(String backupId) {
		this.jdbc.sql("delete from backups where id = ? and deleting_at is not null").param(backupId).update();
	}

	/** A backup left in flight by an instance that stopped, with what recovery must undo. */
	public record Interrupted(String id, String databaseId, String objectKey, String instanceId,
			Long jobExecutionId) {
	}

	/** Backups still {@code scheduled} or {@code running} whose instance has stopped. */
	public List<Interrupted> findInterrupted(StoppedInstances stopped) {
		return stopped.bind(this.jdbc.sql("""
				select b.id, b.database_id, b.object_key, b.instance_id, b.job_execution_id from backups b
				where b.status in ('scheduled', 'running') and """
				+ StoppedInstances.condition("b.instance_id", "b.created_at")))
			.query((rs, i) -> new Interrupted(rs.getString("id"), rs.getString("database_id"),
					rs.getString("object_key"), rs.getString("instance_id"),
					rs.getObject("job_execution_id", Long.class)))
			.list();
	}

	/** Backups still {@code scheduled} or {@code running} under this instance's id, created before {@code before}. */
	public List<Interrupted> findInFlightOf(String instanceId, Instant before) {
		return this.jdbc.sql("""
				select id, database_id, object_key, instance_id, job_execution_id from backups
				where status in ('scheduled', 'running') and instance_id = ? and created_at < ?
				""").params(instanceId, Timestamp.from(before))
			.query((rs, i) -> new Interrupted(rs.getString("id"), rs.getString("database_id"),
					rs.getString("object_key"), rs.getString("instance_id"),
					rs.getObject("job_execution_id", Long.class)))
			.list();
	}

	/** The object keys that backups in flight are writing. */
	public Set<String> objectKeysInFlight() {
		return new HashSet<>(this.jdbc.sql("select object_key from backups where status in ('scheduled', 'running')")
			.query(String.class)
			.list());
	}

	/** Whether a backup that failed was writing this object (which must then never appear). */
	public boolean failedWithObject(String objectKey) {
		return this.jdbc.sql("select count(*) from backups where object_key = ? and status = 'error'")
			.param(objectKey)
			.query(Integer.class)
			.single() > 0;
	}

	/** A done backup whose stored object was found missing: it cannot be downloaded or restored any more. */
	public void markLost(String backupId, String error, Instant now) {
		transition(backupId, RunStatus.DONE, RunStatus.ERROR, "error = :error", Map.of("error", error));
	}

	private void transition(String backupId, RunStatus from, RunStatus to, String assignments,
			Map<String, Object> values) {
		RunTransition.apply(this.jdbc, "backups", backupId, "backup " + backupId, from, to, assignments, values);
	}

	private Backup row(ResultSet rs, int rowNum) throws SQLException {
		String keys = rs.getString("keys_per_db");
		String nodeRole = rs.getString("node_role");
		Backup.NodeUsed node = (nodeRole != null) ? new Backup.NodeUsed(nodeRole, rs.getString("node_host"),
				rs.getInt("node_port"), rs.getString("node_reason")) : null;
		return new Backup(rs.getString("id"), rs.getString("database_id"), instant(rs, "created_at"),
				rs.getString("name"), RunStatus.of(rs.getString("status")), rs.getString("method"), node,
				rs.getString("object_key"), rs.getObject("archive_size", Long.class), rs.getString("archive_sha256"),
				rs.getObject("stored_size", Long.class), rs.getString("stored_sha256"), rs.getString("key_id"),
				rs.getString("redis_version"), rs.getObject("rdb_version", Integer.class),
				rs.getObject("rdb_size", Long.class), (keys != null) ? this.json.readValue(keys, KEYS_PER_DB) : null,
				rs.getLong("bytes_processed"), rs.getObject("job_execution_id", Long.class),
				instant(rs, "started_at"), instant(rs, "finished_at"), rs.getString("error"),
				rs.getString("integrity_error"), instant(rs, "integrity_checked_at"), instant(rs, "verified_at"),
				new Backup.Copy(rs.getString("copy_state"), rs.getString("copy_error"), instant(rs, "copied_at"),
						rs.getString("primary_error")),
				(rs.getString("replication_id") != null) ? new ReplicationPosition(rs.getString("replication_id"),
						rs.getLong("replication_offset")) : null);
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp timestamp = rs.getTimestamp(column);
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	private static Instant instant(ResultSet rs, int column) throws SQLException {
		Timestamp timestamp = rs.getTimestamp(column);
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	/**
	 * Done backups, kept, whose copy is still to be made ({@code pending}) or failed ({@code error}), pending
	 * ones first, oldest first; at most {@code limit}.
	 */
	public List<String> findCopiesDue(int limit) {
		return this.jdbc.sql("""
				select id from backups where status = 'done' and deleting_at is null and copy_state in ('pending', 'error')
				order by copy_state = 'error', created_at, id limit ?
				""").param(limit).query(String.class).list();
	}

	/**
	 * Claims the copy of a backup for this instance ({@code stopped.me()}), if it is due and nobody is copying
	 * it, or only an instance that has stopped (killed mid-copy): a compare-and-set, so that two instances never
	 * copy one backup at once.
	 * @return the backup's row as claimed, or empty when another instance has it, or it is not due any more
	 */
	public Optional<Backup> claimCopy(String backupId, StoppedInstances stopped, Instant now) {
		return stopped.bind(this.jdbc.sql("""
				update backups set copy_claimed_by = :me, copy_claimed_at = :now
				where id = :id and status = 'done' and deleting_at is null and copy_state in ('pending', 'error')
				and (copy_claimed_by is null or """ + StoppedInstances.condition("copy_claimed_by", "copy_claimed_at")
				+ ") returning *"))
			.param("id", backupId)
			.param("now", Timestamp.from(now))
			.query(this::row)
			.optional();
	}

	/**
	 * Records a copy made by this instance's claim, if the row is still kept and its stored object is still
	 * the one copied ({@code storedSha256}: a re-wrap writes another).
	 * @return whether it was recorded; when not, the claim is released and the copy is to be deleted or made again
	 */
	public boolean recordCopied(String backupId, String instanceId, String storedSha256, Instant now) {
		boolean recorded = this.jdbc.sql("""
				update backups set copy_state = 'done', copy_error = null, copied_at = ?, copy_claimed_by = null,
				copy_claimed_at = null
				where id = ? and copy_claimed_by = ? and stored_sha256 = ? and status = 'done' and deleting_at is null
				""").params(Timestamp.from(now), backupId, instanceId, storedSha256).update() == 1;
		if (!recorded) {
			this.jdbc.sql("update backups set copy_claimed_by = null, copy_claimed_at = null where id = ? and copy_claimed_by = ?")
				.params(backupId, instanceId)
				.update();
		}
		return recorded;
	}

	/** Records why this instance's copy of the backup failed: it is tried again by the next catch-up. */
	public void recordCopyFailed(String backupId, String instanceId, String error) {
		this.jdbc.sql("""
				update backups set copy_state = 'error', copy_error = ?, copy_claimed_by = null, copy_claimed_at = null
				where id = ? and copy_claimed_by = ? and copy_state in ('pending', 'error')
				""").params(error, backupId, instanceId).update();
	}

	/** The copy store lost a copy recorded as done: it is made again. */
	public void recordCopyMissing(String backupId, String error) {
		this.jdbc.sql("update backups set copy_state = 'pending', copy_error = ? where id = ? and copy_state = 'done'")
			.params(error, backupId)
			.update();
	}

	/** Why the backup's primary object could not be read, when a read used its copy instead. */
	public void recordPrimaryFailure(String backupId, String problem) {
		this.jdbc.sql("update backups set primary_error = ? where id = ?").params(problem, backupId).update();
	}

	/** Done backups, kept, by copy state: what the copy store holds and owes. */
	public Map<String, Long> countCopiesByState() {
		Map<String, Long> counts = new TreeMap<>();
		this.jdbc.sql("""
				select copy_state, count(*) from backups where status = 'done' and deleting_at is null
				and copy_state is not null group by copy_state
				""").query((rs) -> {
			counts.put(rs.getString(1), rs.getLong(2));
		});
		return counts;
	}

	/**
	 * Whether the database has a periodic backup done or in flight created at or after {@code since} (when its
	 * periodic backup fell due; in its second, since a backup is created in the second it is launched in): that due backup is taken, and must not run twice. One indexed look-up
	 * ({@code backups_database_created}).
	 */
	public boolean periodicDoneOrInFlightSince(String databaseId, Instant since) {
		return this.jdbc.sql("""
				select exists (select 1 from backups where database_id = ? and created_at >= ? and method = 'periodic'
				and status in ('done', 'scheduled', 'running'))
				""").params(databaseId, Timestamp.from(since.truncatedTo(ChronoUnit.SECONDS)))
			.query(Boolean.class)
			.single();
	}

	/** A periodic backup that failed, not yet run again: what a retry needs of it. */
	public record FailedPeriodic(String id, String databaseId, Instant createdAt, Instant finishedAt, int attempt,
			String error) {
	}

	/**
	 * Periodic backups created since {@code since} that failed and that nothing ran again yet, each the newest
	 * periodic backup of its database, oldest first. Reads only the recent failures (the partial index
	 * {@code backups_periodic_failed}), never every database.
	 */
	public List<FailedPeriodic> findFailedPeriodicSince(Instant since) {
		return this.jdbc.sql("""
				select b.id, b.database_id, b.created_at, b.finished_at, b.attempt, b.error from backups b
				where b.method = 'periodic' and b.status = 'error' and b.retried_at is null and b.created_at >= ?
				and not exists (select 1 from backups n where n.database_id = b.database_id and n.method = 'periodic'
				    and n.created_at > b.created_at)
				order by b.created_at, b.id
				""").param(Timestamp.from(since)).query((rs, i) -> new FailedPeriodic(rs.getString("id"),
				rs.getString("database_id"), instant(rs, "created_at"), instant(rs, "finished_at"), rs.getInt("attempt"),
				rs.getString("error"))).list();
	}

	/**
	 * Takes up a failed backup to run it again: a compare-and-set, so that of two instances only one does.
	 * @return whether this call took it
	 */
	public boolean claimRetry(String failedId, Instant now) {
		return this.jdbc.sql("update backups set retried_at = ? where id = ? and status = 'error' and retried_at is null")
			.params(Timestamp.from(now), failedId)
			.update() == 1;
	}

	/** Gives a failed backup taken up by {@link #claimRetry} back, when it could not be run again this time. */
	public void releaseRetry(String failedId) {
		this.jdbc.sql("update backups set retried_at = null where id = ?").param(failedId).update();
	}

	/** A database already has a backup scheduled or running. */
	public static class BackupInFlightException extends RuntimeException {

		BackupInFlightException(String databaseId) {
			super("a backup of " + databaseId + " is already running");
		}

	}

}
