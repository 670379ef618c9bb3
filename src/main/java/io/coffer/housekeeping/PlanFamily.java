package io.coffer.housekeeping;

import java.time.Period;
import java.util.Locale;

/**
 * The retention of a plan family, as the platform our users know it: daily backups, weekly ones
 * (Sunday's daily), monthly ones (the first Sunday's daily), rolling manual ones, and how long a
 * deleted database's backups stay.
 */
public enum PlanFamily {

	STARTER(7, 4, 0, 10, Period.ofMonths(1)),

	BUSINESS(7, 8, 12, 50, Period.ofYears(1));

	final int daily;

	final int weekly;

	final int monthly;

	final int manual;

	final Period afterDeletion;

	PlanFamily(int daily, int weekly, int monthly, int manual, Period afterDeletion) {
		this.daily = daily;
		this.weekly = weekly;
		this.monthly = monthly;
		this.manual = manual;
		this.afterDeletion = afterDeletion;
	}

	/** The family of a plan name like {@code redis-business-1024}; a database without a plan gets the default. */
	public static PlanFamily of(String plan, String defaultFamily) {
		String name = (plan != null) ? plan : defaultFamily;
		return name.toLowerCase(Locale.ROOT).contains("business") ? BUSINESS : STARTER;
	}

}
