package io.coffer.web;

import io.coffer.pitr.PointInTimeRecovery;
import io.coffer.system.InvalidRequest;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /databases/{db}/pitr}: point-in-time recovery on or off, and its recoverable window. */
@RestController
@RequestMapping("/api/v1/databases/{db}/pitr")
class PitrController {

	private final PointInTimeRecovery recovery;

	PitrController(PointInTimeRecovery recovery) {
		this.recovery = recovery;
	}

	/** {@code {"enabled": true}}. */
	record PitrRequest(Boolean enabled) {
	}

	@GetMapping
	PointInTimeRecovery.Status get(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		return this.recovery.status(db);
	}

	@PutMapping
	PointInTimeRecovery.Status put(Caller caller, @PathVariable String db, @RequestBody PitrRequest request) {
		caller.requireAccess(db);
		if (request.enabled() == null) {
			throw new InvalidRequest("give {\"enabled\": true} or {\"enabled\": false}");
		}
		return this.recovery.setEnabled(db, request.enabled());
	}

}
