package io.coffer.web;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import io.coffer.storage.BlobStoreException;
import io.coffer.storage.StorageUnavailable;
import io.coffer.system.CofferException;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every error of the API as {@code {"error", "message"}}, never a stack trace. */
@RestControllerAdvice
class ApiErrorHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

	/** What every answer says when object storage failed: its endpoint, bucket and keys stay in the log. */
	static final String STORAGE_UNAVAILABLE = StorageUnavailable.SENTENCE;

	/** What a capability refused or failed at, as {@link ErrorStatus} maps it. */
	@ExceptionHandler(CofferException.class)
	ResponseEntity<ApiError> domain(CofferException ex) {
		HttpStatus status = ErrorStatus.of(ex);
		if (status.is5xxServerError()) {
			log.warn("{}: {}", ex.code(), ex.getMessage(), ex.getCause());
		}
		if (ex.getCause() instanceof BlobStoreException && status.is5xxServerError()) {
			// storage's own sentences name its endpoint, bucket and object keys, which are nobody's business here
			return ApiError.response(status, ex.code(), STORAGE_UNAVAILABLE);
		}
		return ApiError.response(status, ex.code(), ex.getMessage());
	}

	@ExceptionHandler(BlobStoreException.class)
	ResponseEntity<ApiError> storage(BlobStoreException ex) {
		log.warn("Object storage failed: {}", ex.getMessage(), ex);
		return ApiError.response(HttpStatus.SERVICE_UNAVAILABLE, "storage_unavailable", STORAGE_UNAVAILABLE);
	}

	@ExceptionHandler(MethodArgumentNotValidException.class)
	ResponseEntity<ApiError> invalid(MethodArgumentNotValidException ex) {
		String message = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map((error) -> error.getField() + " " + error.getDefaultMessage())
			.collect(Collectors.joining("; "));
		return ApiError.response(HttpStatus.BAD_REQUEST, "invalid_request", message);
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException ex) {
		RequestBodyLimitFilter.BodyTooLargeException tooLarge = causeOf(ex,
				RequestBodyLimitFilter.BodyTooLargeException.class);
		if (tooLarge != null) {
			return ApiError.response(tooLarge.status(), RequestBodyLimitFilter.BodyTooLargeException.CODE,
					tooLarge.getMessage());
		}
		UnrecognizedPropertyException unknown = causeOf(ex, UnrecognizedPropertyException.class);
		if (unknown != null) {
			return ApiError.response(HttpStatus.BAD_REQUEST, "invalid_request", unknownField(unknown));
		}
		return ApiError.response(HttpStatus.BAD_REQUEST, "invalid_request",
				"the request body is not valid JSON for this call");
	}

	private static final int MAX_ECHOED_FIELD = 100;

	/** Names the field by its path in the body, and the fields that are allowed there. */
	static String unknownField(UnrecognizedPropertyException ex) {
		String path = ex.getPath()
			.stream()
			.map(JacksonException.Reference::getPropertyName)
			.filter(Objects::nonNull)
			.collect(Collectors.joining("."));
		List<String> known = (ex.getKnownPropertyIds() == null) ? List.of()
				: ex.getKnownPropertyIds().stream().map(String::valueOf).sorted(Comparator.naturalOrder()).toList();
		String field = path.isEmpty() ? ex.getPropertyName() : path;
		if (field.length() > MAX_ECHOED_FIELD) {
			// the caller chose this name: say enough to find it, not all of it back
			field = field.substring(0, MAX_ECHOED_FIELD) + "…";
		}
		return "unknown field \"" + field + "\"" + (known.isEmpty() ? "" : "; this call takes " + String.join(", ", known));
	}

	private static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	@ExceptionHandler(MethodArgumentTypeMismatchException.class)
	ResponseEntity<ApiError> mismatch(MethodArgumentTypeMismatchException ex) {
		return ApiError.response(HttpStatus.BAD_REQUEST, "invalid_request", "invalid value for " + ex.getName());
	}

	@ExceptionHandler(HttpMediaTypeNotSupportedException.class)
	ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException ex) {
		List<String> accepted = ex.getSupportedMediaTypes().stream().map((type) -> type.toString()).toList();
		return ApiError.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
				"send the request body as " + (accepted.isEmpty() ? "application/json" : String.join(" or ", accepted)));
	}

	@ExceptionHandler(HttpRequestMethodNotSupportedException.class)
	ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException ex) {
		return ApiError.response(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
				ex.getMethod() + " is not allowed here");
	}

	@ExceptionHandler(NoResourceFoundException.class)
	ResponseEntity<ApiError> noResource(NoResourceFoundException ex) {
		return ApiError.response(HttpStatus.NOT_FOUND, "not_found", "no such resource");
	}

	@ExceptionHandler(DataAccessResourceFailureException.class)
	ResponseEntity<ApiError> catalogueDown(DataAccessResourceFailureException ex) {
		log.error("The catalogue database is unreachable", ex);
		return ApiError.response(HttpStatus.SERVICE_UNAVAILABLE, "catalogue_unavailable",
				"the catalogue database is unreachable; try again shortly");
	}

	/**
	 * Not answered: the response is committed, and any error body would be taken for the end of the
	 * archive. Rethrown, it reaches the servlet container, which closes the connection.
	 */
	@ExceptionHandler(ArchiveDownloadAbortedException.class)
	void abortedDownload(ArchiveDownloadAbortedException ex) {
		log.warn(ex.getMessage());
		throw ex;
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ApiError> unexpected(Exception ex, HttpServletResponse response) {
		if (response.isCommitted()) {
			// a body is already on its way (an aborted download, whose error page lands here): add nothing
			log.debug("Not answering on a committed response: {}", ex.toString());
			return null;
		}
		log.error("Unexpected error", ex);
		return ApiError.response(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
				"something went wrong on our side; the error was logged");
	}

}
