package io.coffer.node;

import io.coffer.system.Refused;

/** No plan of this name is offered. */
public class UnknownPlan extends Refused {

	public UnknownPlan(String message) {
		super("unknown_plan", message);
	}

}
