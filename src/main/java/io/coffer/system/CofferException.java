package io.coffer.system;

/**
 * A failure the caller can act on: a stable code, which the API shows and clients match on (never
 * change one), and a sentence read by people that says what went wrong and, where it helps, what to do.
 * Each capability throws its own, named for what happened; the web layer alone decides how each
 * kind is answered.
 */
public abstract class CofferException extends RuntimeException {

	private final String code;

	protected CofferException(String code, String message) {
		this(code, message, null);
	}

	protected CofferException(String code, String message, Throwable cause) {
		super(message, cause);
		this.code = code;
	}

	/** What happened, as the API's {@code error} field says it. */
	public String code() {
		return this.code;
	}

}
