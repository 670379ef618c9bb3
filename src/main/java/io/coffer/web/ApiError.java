package io.coffer.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

record ApiError(String error, String message) {

	private static final JsonMapper json = JsonMapper.builder().build();

	static ResponseEntity<ApiError> response(HttpStatus status, String code, String message) {
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ApiError(code, message));
	}

	/** The same answer, for the filters and valves that run outside Spring MVC. */
	static void write(HttpServletResponse response, HttpStatus status, String code, String message)
			throws IOException {
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		response.getOutputStream().write(bytes(code, message));
	}

	/**
	 * The answer for a status that nothing more precise produced (the container, the firewall, a
	 * filter): a sentence per status, since what the request said may be anything.
	 */
	static ApiError forStatus(int status) {
		return switch (status) {
			case 400 -> new ApiError("invalid_request",
					"the request could not be read: its path, headers or body are malformed or incomplete");
			case 401 -> new ApiError("unauthorized", "a valid token is required: send it as 'Authorization: Bearer <token>'");
			case 403 -> new ApiError("forbidden", "this request is not allowed");
			case 404 -> new ApiError("not_found", "no such resource");
			case 405 -> new ApiError("method_not_allowed", "this method is not allowed here");
			case 408 -> new ApiError("request_timeout", "the request took too long to arrive");
			case 413 -> new ApiError("body_too_large", "the request body is larger than this service reads");
			case 414, 431 -> new ApiError("request_too_large", "the request's path or headers are too long");
			case 415 -> new ApiError("unsupported_media_type", "this content type is not accepted here");
			case 429 -> new ApiError("too_many_requests", "too many requests; wait a moment and try again");
			case 503 -> new ApiError("unavailable", "the service is unavailable just now; try again shortly");
			default -> (status >= 500) ? new ApiError("internal_error", "something went wrong on our side; the error was logged")
					: new ApiError("invalid_request", "the request was refused (" + status + ")");
		};
	}

	static byte[] bytes(String code, String message) {
		return json.writeValueAsBytes(new ApiError(code, message));
	}

}
