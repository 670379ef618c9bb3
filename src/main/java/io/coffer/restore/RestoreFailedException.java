package io.coffer.restore;

/**
 * A restore failed: why, and what state the target was left in, both as sentences for the user.
 */
class RestoreFailedException extends RuntimeException {

	static final String UNTOUCHED = "the target was not touched: it holds the data it had before";

	private final String targetState;

	RestoreFailedException(String message, String targetState) {
		this(message, targetState, null);
	}

	RestoreFailedException(String message, String targetState, Throwable cause) {
		super(message, cause);
		this.targetState = targetState;
	}

	String targetState() {
		return this.targetState;
	}

}
