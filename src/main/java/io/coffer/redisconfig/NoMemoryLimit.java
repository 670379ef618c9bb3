package io.coffer.redisconfig;

import io.coffer.system.Refused;

/** Cache mode evicts keys at the memory limit: a database without {@code maxmemory} cannot have it. */
public class NoMemoryLimit extends Refused {

	public NoMemoryLimit(String message) {
		super("no_memory_limit", message);
	}

}
