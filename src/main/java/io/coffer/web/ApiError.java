package io.coffer.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

record ApiError(String error, String message) {

	static ResponseEntity<ApiError> response(HttpStatus status, String code, String message) {
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(new ApiError(code, message));
	}

}
