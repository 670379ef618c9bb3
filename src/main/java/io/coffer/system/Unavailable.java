package io.coffer.system;

/** Something the request needs (a Redis node, object storage, a file) does not answer or fails just now. */
public abstract class Unavailable extends CofferException {

	protected Unavailable(String code, String message, Throwable cause) {
		super(code, message, cause);
	}

}
