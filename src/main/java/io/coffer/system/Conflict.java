package io.coffer.system;

/**
 * The request is sound, but the present state of what it acts on forbids it: work in progress, a
 * status, something that already exists. The same request may succeed later.
 */
public abstract class Conflict extends CofferException {

	protected Conflict(String code, String message) {
		super(code, message);
	}

}
