package io.coffer.web;

import io.coffer.backup.ImportLengthUnknown;
import io.coffer.backup.ImportTooLarge;
import io.coffer.system.CofferException;
import io.coffer.system.Conflict;
import io.coffer.system.InvalidRequest;
import io.coffer.system.NotFound;
import io.coffer.system.Refused;
import io.coffer.system.Unavailable;

import org.springframework.http.HttpStatus;

/**
 * The status each domain exception is answered with, by the API and the dashboard alike: the one
 * place where what happened becomes HTTP.
 */
public final class ErrorStatus {

	private ErrorStatus() {
	}

	public static HttpStatus of(CofferException ex) {
		if (ex instanceof ApiException web) {
			return web.status();
		}
		if (ex instanceof InvalidRequest) {
			return HttpStatus.BAD_REQUEST;
		}
		if (ex instanceof NotFound) {
			return HttpStatus.NOT_FOUND;
		}
		if (ex instanceof Conflict) {
			return HttpStatus.CONFLICT;
		}
		if (ex instanceof Refused) {
			return HttpStatus.UNPROCESSABLE_ENTITY;
		}
		if (ex instanceof Unavailable) {
			return HttpStatus.SERVICE_UNAVAILABLE;
		}
		if (ex instanceof ImportTooLarge) {
			return HttpStatus.valueOf(413);
		}
		if (ex instanceof ImportLengthUnknown) {
			return HttpStatus.LENGTH_REQUIRED;
		}
		// a failure of the service itself (an import that failed unexpectedly), logged with its cause
		return HttpStatus.INTERNAL_SERVER_ERROR;
	}

}
