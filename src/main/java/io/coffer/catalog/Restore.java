package io.coffer.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One restore of a backup into a database: its row in the catalogue. {@code checks} says what was
 * verified (archive, dump, target, keys), {@code targetState} what state a failure left the target in.
 * {@code keyPatterns} are the glob patterns of a restore of selected keys (null for a whole backup), and a
 * {@code dryRun} of them only counts what it would write.
 */
public record Restore(String id, String databaseId, String backupId, String target, String targetDatabase,
		RunStatus status, Instant createdAt, Instant startedAt, Instant finishedAt, Map<String, Object> checks,
		String error, String targetState, Long jobExecutionId, List<String> keyPatterns, boolean dryRun) {

	/** Whether it restores selected keys rather than the whole backup. */
	public boolean selectsKeys() {
		return this.keyPatterns != null;
	}

	public static final String IN_PLACE = "in_place";

	public static final String NEW_DATABASE = "new_database";

}
