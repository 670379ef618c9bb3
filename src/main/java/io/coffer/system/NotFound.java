package io.coffer.system;

/** What the request names does not exist (or is not the caller's to see). */
public abstract class NotFound extends CofferException {

	/** @param what the thing looked for, as a sentence names it: {@code "database my-app-3030"} */
	protected NotFound(String what) {
		super("not_found", what + " was not found");
	}

	protected NotFound(String code, String message) {
		super(code, message);
	}

}
