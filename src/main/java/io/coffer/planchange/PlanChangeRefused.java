package io.coffer.planchange;

import io.coffer.system.Refused;

/**
 * The plan change asked for cannot be made: no plan to change from, the same plan, one not offered from
 * here, one too small.
 */
public class PlanChangeRefused extends Refused {

	/** @param code {@code no_plan}, {@code same_plan}, {@code plan_not_offered} or {@code plan_too_small} */
	public PlanChangeRefused(String code, String message) {
		super(code, message);
	}

}
