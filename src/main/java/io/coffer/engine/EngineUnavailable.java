package io.coffer.engine;

import io.coffer.system.Refused;

/** The engine or version asked for is not offered, or cannot be chosen with this node driver. */
public class EngineUnavailable extends Refused {

	public EngineUnavailable(String message) {
		super("engine_unavailable", message);
	}

}
