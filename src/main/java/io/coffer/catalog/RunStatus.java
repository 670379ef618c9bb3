package io.coffer.catalog;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The life of a backup or a restore: {@code scheduled → running → done | error}, and
 * {@code scheduled → error} when it never started, and {@code done → error} when the stored backup is
 * found missing from storage (housekeeping). This enum is the one place that says which
 * changes are allowed; the repositories refuse any other.
 */
public enum RunStatus {

	SCHEDULED, RUNNING, DONE, ERROR;

	private static final Map<RunStatus, Set<RunStatus>> ALLOWED = Map.of(
			SCHEDULED, EnumSet.of(RUNNING, ERROR),
			RUNNING, EnumSet.of(DONE, ERROR),
			DONE, EnumSet.of(ERROR),
			ERROR, EnumSet.noneOf(RunStatus.class));

	public boolean canBecome(RunStatus next) {
		return ALLOWED.get(this).contains(next);
	}

	/** Throws unless this status may change to {@code next}. */
	public void checkCanBecome(RunStatus next) {
		if (!canBecome(next)) {
			throw new IllegalStateTransitionException(this, next);
		}
	}

	public boolean isFinished() {
		return this == DONE || this == ERROR;
	}

	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static RunStatus of(String value) {
		return valueOf(value.toUpperCase(Locale.ROOT));
	}

	/** A change of status that the life cycle forbids, or that lost a race with another change. */
	public static class IllegalStateTransitionException extends IllegalStateException {

		IllegalStateTransitionException(RunStatus from, RunStatus to) {
			super("status cannot change from " + from.value() + " to " + to.value());
		}

		IllegalStateTransitionException(String message) {
			super(message);
		}

	}

}
