package io.coffer.system;

/** The request is malformed or incomplete: the sentence says what to send instead. */
public class InvalidRequest extends CofferException {

	public InvalidRequest(String message) {
		super("invalid_request", message);
	}

}
