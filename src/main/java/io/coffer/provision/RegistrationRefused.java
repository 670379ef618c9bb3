package io.coffer.provision;

import io.coffer.system.Refused;

/**
 * The database to register cannot be reached as asked: it is not Redis, refuses the password, or its
 * sentinel does not know it.
 */
public class RegistrationRefused extends Refused {

	/** @param code {@code not_redis}, {@code redis_…} or {@code sentinel_…}, after what the node or the sentinel did */
	public RegistrationRefused(String code, String message) {
		super(code, message);
	}

}
