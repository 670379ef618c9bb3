package io.coffer.housekeeping;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import io.coffer.catalog.RunStatus;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The catalogue as retention and housekeeping see it. */
@Repository
class RetentionRepository {

	private final JdbcClient jdbc;

	RetentionRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	record DatabaseOfBackups(String id, String plan, Instant deletedAt) {
	}

	record Marked(String id, String objectKey) {
	}

	/** Databases that have backups, deleted ones included. */
	List<DatabaseOfBackups> databasesWithBackups() {
		return this.jdbc.sql("""
				select id, plan, deleted_at from databases d
				where exists (select 1 from backups b where b.database_id = d.id) order by id
				""").query((rs, i) -> new DatabaseOfBackups(rs.getString("id"), rs.getString("plan"),
				(rs.getTimestamp("deleted_at") != null) ? rs.getTimestamp("deleted_at").toInstant() : null)).list();
	}

	List<BackupRef> backupsOf(String databaseId) {
		return this.jdbc.sql("""
				select id, created_at, method, status, integrity_error is not null as damaged from backups
				where database_id = ? and deleting_at is null
				""").param(databaseId).query((rs, i) -> new BackupRef(rs.getString("id"),
				rs.getTimestamp("created_at").toInstant(), rs.getString("method"), RunStatus.of(rs.getString("status")),
				rs.getBoolean("damaged")))
			.list();
	}

	/**
	 * Step 1: the row is marked, which hides it from the API. Only finished backups that no restore in
	 * flight reads are marked.
	 */
	int mark(String backupId, Instant now) {
		return this.jdbc.sql("""
				update backups set deleting_at = ? where id = ? and status in ('done', 'error') and deleting_at is null
				and not exists (select 1 from restores r where r.backup_id = backups.id and r.status in ('scheduled', 'running'))
				""").params(Timestamp.from(now), backupId).update();
	}

	/** Oldest marks first. */
	List<Marked> marked() {
		return this.jdbc.sql("select id, object_key from backups where deleting_at is not null order by deleting_at, id")
			.query((rs, i) -> new Marked(rs.getString("id"), rs.getString("object_key")))
			.list();
	}

	/** Step 3, once the object is gone. */
	void deleteRow(String backupId) {
		this.jdbc.sql("delete from backups where id = ? and deleting_at is not null").param(backupId).update();
	}

}
