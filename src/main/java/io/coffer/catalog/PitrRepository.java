package io.coffer.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The tables of point-in-time recovery: each database's archiver (whether it is on, and the lease of the
 * instance running it), the segments of the stream it stored, and the gaps in it. Leases are reckoned
 * in the catalogue's clock ({@code now()}), so that the instances' clocks need not agree.
 */
@Repository
public class PitrRepository {

	/** Where segments are stored in the bucket, apart from backups (the orphan sweep leaves them alone). */
	public static final String OBJECT_PREFIX = "pitr/";

	private final JdbcClient jdbc;

	PitrRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * A database's archiver as the catalogue knows it; {@code setExplicitly}: a user chose, not the plan;
	 * {@code state} what its running archiver does (null while none runs); {@code oldestUnuploadedAt} the arrival of
	 * the oldest archived command not yet in object storage (null while none waits), {@code lastUploadError} why
	 * the last upload failed (null once nothing waits).
	 */
	public record Archiver(String databaseId, boolean enabled, String owner, Instant leaseUntil,
			Instant lastDurableAt, String lastError, boolean setExplicitly, String state, Instant oldestUnuploadedAt,
			String lastUploadError) {
	}

	/** A sealed, uploaded segment of the stream: offsets of its first and last byte, arrival of its commands. */
	public record Segment(long id, String databaseId, String replid, long startOffset, long endOffset,
			Instant firstArrival, Instant lastArrival, int commands, String objectKey, long storedSize,
			String storedSha256, String keyId) {

		/** The position the stream continues from after this segment. */
		public ReplicationPosition end() {
			return new ReplicationPosition(this.replid, this.endOffset);
		}

	}

	/** A hole in the archived stream, and the base backup taken after it. */
	public record Gap(Instant from, Instant to, String reason, String baseBackupId) {
	}

	/**
	 * Turns point-in-time recovery on or off as a user chose: the plan's default no longer applies to the
	 * database. The archiver holding the lease stops when it sees it off.
	 */
	public void setEnabled(String databaseId, boolean enabled) {
		this.jdbc.sql("""
				insert into pitr_archivers (database_id, enabled, set_explicitly) values (?, ?, true)
				on conflict (database_id) do update set enabled = excluded.enabled, set_explicitly = true,
				    updated_at = now()
				""").params(databaseId, enabled).update();
	}

	/**
	 * Turns point-in-time recovery on or off as the database's plan says (at provisioning, at a plan change),
	 * unless a user chose; answers whether the plan's choice now applies.
	 */
	public boolean applyPlanDefault(String databaseId, boolean enabled) {
		return this.jdbc.sql("""
				insert into pitr_archivers (database_id, enabled, set_explicitly) values (?, ?, false)
				on conflict (database_id) do update set enabled = excluded.enabled, updated_at = now()
				where not pitr_archivers.set_explicitly
				""").params(databaseId, enabled).update() == 1;
	}

	public Optional<Archiver> find(String databaseId) {
		return this.jdbc.sql("select * from pitr_archivers where database_id = ?")
			.param(databaseId)
			.query(PitrRepository::archiver)
			.optional();
	}

	/** The live databases with point-in-time recovery on. */
	public List<String> enabledDatabases() {
		return this.jdbc.sql("""
				select a.database_id from pitr_archivers a join databases d on d.id = a.database_id
				where a.enabled and d.deleted_at is null order by a.database_id
				""").query(String.class).list();
	}

	/**
	 * Takes the archiver's lease for {@code lease} when nobody holds it, this instance does, or its holder
	 * let it run out; answers whether this instance holds it now. Renewing is claiming again.
	 */
	public boolean claim(String databaseId, String instanceId, Duration lease) {
		return this.jdbc.sql("""
				update pitr_archivers set owner = ?, lease_until = now() + make_interval(secs => ?), updated_at = now()
				where database_id = ? and enabled and (owner is null or owner = ? or lease_until < now())
				""").params(instanceId, lease.toMillis() / 1000.0, databaseId, instanceId).update() == 1;
	}

	/** Gives the lease back (the archiver stopped), saying why when it failed. */
	public void release(String databaseId, String instanceId, String error) {
		this.jdbc.sql("""
				update pitr_archivers set owner = null, lease_until = null, last_error = ?, state = null,
				    updated_at = now()
				where database_id = ? and owner = ?
				""").params(error, databaseId, instanceId).update();
	}

	/**
	 * How an archiver stands: {@code at} when it last made what it received durable (null: not now, it is not
	 * streaming; the last mark stays). {@code runsWell}: it streams and nothing waits (sealed segments for
	 * storage), and the last error is cleared; otherwise it is kept, still true. {@code state} what it does,
	 * {@code oldestUnuploaded} the arrival of its oldest command not yet in object storage (null: none),
	 * {@code uploadError} why its last upload failed (null: none since the last that worked).
	 */
	public record Durable(Instant at, boolean runsWell, String state, Instant oldestUnuploaded, String uploadError) {
	}

	/**
	 * Records the durable marks of many archivers of {@code instanceId} at once, in one statement: the archivers
	 * of an instance report every second, and a thousand of them must not make a thousand updates a second.
	 */
	public void recordDurable(java.util.Map<String, Durable> durable, String instanceId) {
		if (durable.isEmpty()) {
			return;
		}
		int count = durable.size();
		String[] ids = new String[count];
		long[] millis = new long[count];
		boolean[] runsWell = new boolean[count];
		String[] states = new String[count];
		long[] oldest = new long[count];
		String[] uploadErrors = new String[count];
		int i = 0;
		for (java.util.Map.Entry<String, Durable> entry : durable.entrySet()) {
			Durable mark = entry.getValue();
			ids[i] = entry.getKey();
			millis[i] = (mark.at() != null) ? mark.at().toEpochMilli() : -1;
			runsWell[i] = mark.runsWell();
			states[i] = mark.state();
			oldest[i] = (mark.oldestUnuploaded() != null) ? mark.oldestUnuploaded().toEpochMilli() : -1;
			uploadErrors[i++] = mark.uploadError();
		}
		// -1: no time (arrays of int8 carry no null)
		this.jdbc.sql("""
				update pitr_archivers a
				set last_durable_at = case when d.at_ms >= 0 then to_timestamp(d.at_ms / 1000.0) else a.last_durable_at end,
				    last_error = case when d.runs_well then null else a.last_error end,
				    state = d.state,
				    oldest_unuploaded_at = case when d.oldest_ms >= 0 then to_timestamp(d.oldest_ms / 1000.0) end,
				    last_upload_error = d.upload_error
				from unnest(?::text[], ?::int8[], ?::bool[], ?::text[], ?::int8[], ?::text[])
				    as d(database_id, at_ms, runs_well, state, oldest_ms, upload_error)
				where a.database_id = d.database_id and a.owner = ?
				""").params(ids, millis, runsWell, states, oldest, uploadErrors, instanceId).update();
	}

	/** Why the running archiver cannot go on for now (it retries). */
	public void recordError(String databaseId, String instanceId, String error) {
		this.jdbc.sql("update pitr_archivers set last_error = ? where database_id = ? and owner = ?")
			.params(error, databaseId, instanceId)
			.update();
	}

	public void insertSegment(Segment segment) {
		this.jdbc.sql("""
				insert into pitr_segments (database_id, replid, start_offset, end_offset, first_arrival, last_arrival,
				    commands, object_key, stored_size, stored_sha256, key_id, state)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'uploaded')
				""").params(segment.databaseId(), segment.replid(), segment.startOffset(), segment.endOffset(),
				Timestamp.from(segment.firstArrival()), Timestamp.from(segment.lastArrival()), segment.commands(),
				segment.objectKey(), segment.storedSize(), segment.storedSha256(), segment.keyId()).update();
	}

	/** The database's uploaded segments, oldest first. */
	public List<Segment> segments(String databaseId) {
		return this.jdbc.sql("select * from pitr_segments where database_id = ? order by last_arrival, id")
			.param(databaseId)
			.query(PitrRepository::segment)
			.list();
	}

	/** The newest uploaded segment: where the stream continues from after a restart or a takeover. */
	public Optional<Segment> lastSegment(String databaseId) {
		return this.jdbc.sql("select * from pitr_segments where database_id = ? order by id desc limit 1")
			.param(databaseId)
			.query(PitrRepository::segment)
			.optional();
	}

	public void insertGap(String databaseId, Gap gap) {
		this.jdbc.sql("""
				insert into pitr_gaps (database_id, from_at, to_at, reason, base_backup_id) values (?, ?, ?, ?, ?)
				""").params(databaseId, Timestamp.from(gap.from()), Timestamp.from(gap.to()), gap.reason(),
				gap.baseBackupId()).update();
	}

	/** The database's gaps, oldest first. */
	public List<Gap> gaps(String databaseId) {
		return this.jdbc.sql("select * from pitr_gaps where database_id = ? order by from_at, id")
			.param(databaseId)
			.query((rs, i) -> new Gap(instant(rs, "from_at"), instant(rs, "to_at"), rs.getString("reason"),
					rs.getString("base_backup_id")))
			.list();
	}

	/**
	 * How the archiving of one live database with point-in-time recovery on goes, for its metrics:
	 * {@code lastDurableAt} null while no archiver made anything durable yet, then {@code enabledAt} (when it was
	 * last turned on or off) says since when it waits.
	 */
	public record Progress(String databaseId, Instant lastDurableAt, Instant enabledAt, int gaps,
			Instant oldestUnuploadedAt, boolean uploadFailing) {
	}

	/** The progress of every live database with point-in-time recovery on, in one query. */
	public List<Progress> progress() {
		return this.jdbc.sql("""
				select a.database_id, a.last_durable_at, a.updated_at, a.oldest_unuploaded_at, a.last_upload_error,
				    (select count(*) from pitr_gaps g where g.database_id = a.database_id) as gaps
				from pitr_archivers a join databases d on d.id = a.database_id
				where a.enabled and d.deleted_at is null order by a.database_id
				""").query((rs, i) -> new Progress(rs.getString("database_id"), instant(rs, "last_durable_at"),
				instant(rs, "updated_at"), rs.getInt("gaps"), instant(rs, "oldest_unuploaded_at"),
				rs.getString("last_upload_error") != null)).list();
	}

	/** The databases that have archived segments or gaps: what retention looks at. */
	public List<String> databasesWithArchive() {
		return this.jdbc.sql("""
				select database_id from pitr_segments union select database_id from pitr_gaps order by 1
				""").query(String.class).list();
	}

	/**
	 * The database's segments whose last command arrived before {@code before} (all of them when null): those
	 * no remaining base backup is followed by.
	 */
	public List<Segment> segmentsBefore(String databaseId, Instant before) {
		return this.jdbc.sql("""
				select * from pitr_segments where database_id = ? and (?::timestamptz is null or last_arrival < ?)
				order by last_arrival, id
				""").params(databaseId, timestamp(before), timestamp(before)).query(PitrRepository::segment).list();
	}

	/** Forgets a segment whose object is gone (or is being deleted). */
	public void deleteSegment(long segmentId) {
		this.jdbc.sql("delete from pitr_segments where id = ?").param(segmentId).update();
	}

	/** Forgets the gaps that end by {@code before} (all of them when null); answers how many. */
	public int deleteGapsBefore(String databaseId, Instant before) {
		return this.jdbc.sql("""
				delete from pitr_gaps where database_id = ? and (?::timestamptz is null or to_at <= ?)
				""").params(databaseId, timestamp(before), timestamp(before)).update();
	}

	private static Timestamp timestamp(Instant instant) {
		return (instant != null) ? Timestamp.from(instant) : null;
	}

	private static Archiver archiver(ResultSet rs, int row) throws SQLException {
		return new Archiver(rs.getString("database_id"), rs.getBoolean("enabled"), rs.getString("owner"),
				instant(rs, "lease_until"), instant(rs, "last_durable_at"), rs.getString("last_error"),
				rs.getBoolean("set_explicitly"), rs.getString("state"), instant(rs, "oldest_unuploaded_at"),
				rs.getString("last_upload_error"));
	}

	private static Segment segment(ResultSet rs, int row) throws SQLException {
		return new Segment(rs.getLong("id"), rs.getString("database_id"), rs.getString("replid"),
				rs.getLong("start_offset"), rs.getLong("end_offset"), instant(rs, "first_arrival"),
				instant(rs, "last_arrival"), rs.getInt("commands"), rs.getString("object_key"),
				rs.getLong("stored_size"), rs.getString("stored_sha256"), rs.getString("key_id"));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp timestamp = rs.getTimestamp(column);
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

}
