package io.coffer.redis;

/**
 * Redis could not be used for a backup, said in a sentence for the user and a short code
 * for programs ({@code unreachable}, {@code auth_failed}, {@code no_primary}, ...).
 */
public class RedisAccessException extends RuntimeException {

	public static final String UNREACHABLE = "unreachable";

	public static final String AUTH_FAILED = "auth_failed";

	public static final String NO_PRIMARY = "no_primary";

	public static final String TIMEOUT = "timeout";

	public static final String REFUSED = "refused";

	public static final String SNAPSHOT_FAILED = "snapshot_failed";

	/** Something answers at the address, but not in Redis's protocol. */
	public static final String NOT_REDIS = "not_redis";

	private final String code;

	public RedisAccessException(String code, String message) {
		super(message);
		this.code = code;
	}

	public RedisAccessException(String code, String message, Throwable cause) {
		super(message, cause);
		this.code = code;
	}

	public String code() {
		return this.code;
	}

}
