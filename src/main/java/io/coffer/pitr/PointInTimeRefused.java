package io.coffer.pitr;

import io.coffer.system.Refused;

/** The database cannot be recovered to the time asked: it lies outside the recoverable window, or in a gap. */
public class PointInTimeRefused extends Refused {

	/** Before the first or after the last archived command (or nothing archived yet). */
	public static final String OUTSIDE_WINDOW = "outside_recoverable_window";

	/** Between the last command archived before a gap and the base taken after it. */
	public static final String IN_GAP = "in_recoverable_gap";

	public PointInTimeRefused(String code, String message) {
		super(code, message);
	}

}
