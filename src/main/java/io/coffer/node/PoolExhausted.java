package io.coffer.node;

import io.coffer.system.Refused;

/** Every node of the static pool is in use: a new database has nowhere to go. */
public class PoolExhausted extends Refused {

	public PoolExhausted(String message) {
		super("pool_exhausted", message);
	}

}
