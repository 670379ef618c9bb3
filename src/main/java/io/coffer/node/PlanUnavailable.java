package io.coffer.node;

import io.coffer.system.Refused;

/** The plan exists, but the node driver in use cannot give it (see {@link NodeDriver#refusal}). */
public class PlanUnavailable extends Refused {

	public PlanUnavailable(String reason) {
		super("plan_unavailable", reason);
	}

}
