package io.coffer.schedule;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Periodic backups that did not run, and why. They are not backups (nothing was attempted), so they
 * live beside the {@code backups} table and are shown with the database's schedule.
 */
@Repository
class BackupSkips {

	private static final Logger log = LoggerFactory.getLogger(BackupSkips.class);

	private final JdbcClient jdbc;

	BackupSkips(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	record Skip(Instant scheduledFor, Instant recordedAt, String reason) {
	}

	void record(String databaseId, Instant scheduledFor, Instant now, String reason) {
		log.warn("Periodic backup of {} due at {} did not run: {}", databaseId, scheduledFor, reason);
		this.jdbc.sql("""
				insert into backup_skips (database_id, scheduled_for, recorded_at, reason)
				select ?, ?, ?, ? where exists (select 1 from databases where id = ?)
				""").params(databaseId, Timestamp.from(scheduledFor), Timestamp.from(now), reason, databaseId).update();
	}

	/** Newest first. */
	List<Skip> recent(String databaseId, int limit) {
		return this.jdbc.sql("""
				select scheduled_for, recorded_at, reason from backup_skips where database_id = ?
				order by scheduled_for desc, id desc limit ?
				""")
			.params(databaseId, limit)
			.query((rs, i) -> new Skip(rs.getTimestamp("scheduled_for").toInstant(),
					rs.getTimestamp("recorded_at").toInstant(), rs.getString("reason")))
			.list();
	}

}
