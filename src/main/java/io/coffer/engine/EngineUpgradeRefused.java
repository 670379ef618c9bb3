package io.coffer.engine;

import io.coffer.system.Refused;

/** The engine upgrade asked for is not one the rules allow for this database. */
public class EngineUpgradeRefused extends Refused {

	/**
	 * @param code {@code upgrade_unavailable} (nothing to upgrade to from here) or {@code upgrade_refused} (not
	 * this version)
	 */
	public EngineUpgradeRefused(String code, String message) {
		super(code, message);
	}

}
