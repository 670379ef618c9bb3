package io.coffer.web;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.coffer.catalog.Restore;

/**
 * A restore as the API shows it: {@code checks} is what was verified so far, {@code target_state} what
 * state a failure left the target in; {@code keys} the patterns of a restore of selected keys (null for a
 * whole backup), which a {@code dry_run} only counts; {@code load} how the target loaded the dump
 * ({@code disk}, {@code diskless_empty} or {@code diskless_swapdb}; null before it did, and for keys written in
 * place), as {@code checks.load.load} records it; {@code at} the time a restore to a point in time recovers to
 * (null for a restore of a backup, whose {@code backup} is then the base it starts from).
 */
record RestoreView(String id, String backup, String target, String targetDatabase, String status,
		Instant createdAt, Instant startedAt, Instant finishedAt, Map<String, Object> checks, String error,
		String targetState, List<String> keys, boolean dryRun, String load, Instant at) {

	static RestoreView of(Restore restore) {
		return new RestoreView(restore.id(), restore.backupId(), restore.target(), restore.targetDatabase(),
				restore.status().value(), restore.createdAt(), restore.startedAt(), restore.finishedAt(),
				restore.checks(), restore.error(), restore.targetState(), restore.keyPatterns(), restore.dryRun(),
				loadOf(restore.checks()), restore.pointInTime());
	}

	private static String loadOf(Map<String, Object> checks) {
		Object load = (checks != null) ? checks.get("load") : null;
		return (load instanceof Map<?, ?> values && values.get("load") instanceof String way) ? way : null;
	}

}
