package io.coffer.schedule;

import io.coffer.system.Refused;

/** A backup schedule the database's plan does not allow. */
public class ScheduleRefused extends Refused {

	/** @param code {@code invalid_every_hours} or {@code every_hours_not_in_plan} */
	public ScheduleRefused(String code, String message) {
		super(code, message);
	}

}
