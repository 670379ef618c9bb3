package io.coffer.system;

/**
 * The request is understood and well formed, but a rule refuses it (a plan that does not fit, an
 * upload that is not a dump, an engine not offered): asking again will not help.
 */
public abstract class Refused extends CofferException {

	protected Refused(String code, String message) {
		super(code, message);
	}

	protected Refused(String code, String message, Throwable cause) {
		super(code, message, cause);
	}

}
