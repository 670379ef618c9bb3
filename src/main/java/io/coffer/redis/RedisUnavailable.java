package io.coffer.redis;

import io.coffer.system.Unavailable;

/** A node of the database does not answer, or answers with an error, just now. */
public class RedisUnavailable extends Unavailable {

	/**
	 * @param code what the node did: {@code redis_unreachable}, or {@code redis_} and
	 * {@link RedisAccessException#code()}
	 */
	public RedisUnavailable(String code, String message, Throwable cause) {
		super(code, message, cause);
	}

}
