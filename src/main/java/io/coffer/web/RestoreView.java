package io.coffer.web;

import java.time.Instant;
import java.util.Map;

import io.coffer.catalog.Restore;

/**
 * A restore as the API shows it: {@code checks} is what was verified so far, {@code target_state} what
 * state a failure left the target in.
 */
record RestoreView(String id, String backup, String target, String targetDatabase, String status,
		Instant createdAt, Instant startedAt, Instant finishedAt, Map<String, Object> checks, String error,
		String targetState) {

	static RestoreView of(Restore restore) {
		return new RestoreView(restore.id(), restore.backupId(), restore.target(), restore.targetDatabase(),
				restore.status().value(), restore.createdAt(), restore.startedAt(), restore.finishedAt(),
				restore.checks(), restore.error(), restore.targetState());
	}

}
