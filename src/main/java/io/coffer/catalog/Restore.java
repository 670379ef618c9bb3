package io.coffer.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One restore of a backup into a database: its row in the catalogue. {@code checks} says what was
 * verified (archive, dump, target, keys), {@code targetState} what state a failure left the target in.
 * {@code keyPatterns} are the glob patterns of a restore of selected keys (null for a whole backup), and a
 * {@code dryRun} of them only counts what it would write. {@code pointInTime} is the time a restore to a point in
 * time recovers the database to ({@code backupId} is then its base backup); null for a restore of a backup.
 */
public record Restore(String id, String databaseId, String backupId, String target, String targetDatabase,
		RunStatus status, Instant createdAt, Instant startedAt, Instant finishedAt, Map<String, Object> checks,
		String error, String targetState, Long jobExecutionId, List<String> keyPatterns, boolean dryRun,
		Instant pointInTime) {

	/** Whether it restores selected keys rather than the whole backup. */
	public boolean selectsKeys() {
		return this.keyPatterns != null;
	}

	/** Whether it recovers the database to a point in time rather than to a backup. */
	public boolean toPointInTime() {
		return this.pointInTime != null;
	}

	public static final String IN_PLACE = "in_place";

	public static final String NEW_DATABASE = "new_database";

}
