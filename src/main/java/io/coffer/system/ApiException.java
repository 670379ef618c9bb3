package io.coffer.system;

import org.springframework.http.HttpStatus;

/**
 * An error the API answers as {@code {"error": code, "message": sentence}} with a fitting status.
 * The message is read by people: say what went wrong and, where it helps, what to do.
 */
public class ApiException extends RuntimeException {

	private final HttpStatus status;

	private final String code;

	public ApiException(HttpStatus status, String code, String message) {
		this(status, code, message, null);
	}

	public ApiException(HttpStatus status, String code, String message, Throwable cause) {
		super(message, cause);
		this.status = status;
		this.code = code;
	}

	public HttpStatus status() {
		return this.status;
	}

	public String code() {
		return this.code;
	}

	public static ApiException notFound(String what) {
		return new ApiException(HttpStatus.NOT_FOUND, "not_found", what + " was not found");
	}

	public static ApiException badRequest(String message) {
		return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request", message);
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
