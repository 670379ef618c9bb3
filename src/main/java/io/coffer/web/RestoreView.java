package io.coffer.web;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.coffer.catalog.Restore;

/**
 * A restore as the API shows it: {@code checks} is what was verified so far, {@code target_state} what
 * state a failure left the target in; {@code keys} the patterns of a restore of selected keys (null for a
 * whole backup), which a {@code dry_run} only counts.
 */
record RestoreView(String id, String backup, String target, String targetDatabase, String status,
		Instant createdAt, Instant startedAt, Instant finishedAt, Map<String, Object> checks, String error,
		String targetState, List<String> keys, boolean dryRun) {

	static RestoreView of(Restore restore) {
		return new RestoreView(restore.id(), restore.backupId(), restore.target(), restore.targetDatabase(),
				restore.status().value(), restore.createdAt(), restore.startedAt(), restore.finishedAt(),
				restore.checks(), restore.error(), restore.targetState(), restore.keyPatterns(), restore.dryRun());
	}

}
