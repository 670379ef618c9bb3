package io.coffer.web;

import io.coffer.system.CofferException;

import org.springframework.http.HttpStatus;

/**
 * An error that only the web layer knows of (a range not satisfiable, an archive gone from storage,
 * an operator-only call): answered with its own status. The capabilities throw their own exceptions,
 * which {@link ErrorStatus} maps.
 */
public class ApiException extends CofferException {

	private final HttpStatus status;

	public ApiException(HttpStatus status, String code, String message) {
		this(status, code, message, null);
	}

	public ApiException(HttpStatus status, String code, String message, Throwable cause) {
		super(code, message, cause);
		this.status = status;
	}

	public HttpStatus status() {
		return this.status;
	}

	public static ApiException notFound(String what) {
		return new ApiException(HttpStatus.NOT_FOUND, "not_found", what + " was not found");
	}

	public static ApiException conflict(String code, String message) {
		return new ApiException(HttpStatus.CONFLICT, code, message);
	}

	public static ApiException unprocessable(String code, String message) {
		return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, code, message);
	}

	public static ApiException unavailable(String code, String message, Throwable cause) {
		return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, code, message, cause);
	}

}
