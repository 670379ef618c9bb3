package io.coffer.catalog;

import java.time.Instant;
import java.util.Map;

/**
 * One restore of a backup into a database: its row in the catalogue. {@code checks} says what was
 * verified (archive, dump, target, keys), {@code targetState} what state a failure left the target in.
 */
public record Restore(String id, String databaseId, String backupId, String target, String targetDatabase,
		RunStatus status, Instant createdAt, Instant startedAt, Instant finishedAt, Map<String, Object> checks,
		String error, String targetState, Long jobExecutionId) {

	public static final String IN_PLACE = "in_place";

	public static final String NEW_DATABASE = "new_database";

}
