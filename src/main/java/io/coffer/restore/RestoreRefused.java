package io.coffer.restore;

import io.coffer.system.Refused;

/** The restore asked for cannot be made into this target. */
public class RestoreRefused extends Refused {

	/** @param code {@code same_database}, {@code target_incompatible} or {@code target_not_empty} */
	public RestoreRefused(String code, String message) {
		super(code, message);
	}

}
