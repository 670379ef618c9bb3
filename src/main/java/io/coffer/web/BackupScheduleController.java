package io.coffer.web;

import io.coffer.schedule.BackupScheduleService;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/databases/{db}/backup-schedule")
class BackupScheduleController {

	private final BackupScheduleService schedules;

	BackupScheduleController(BackupScheduleService schedules) {
		this.schedules = schedules;
	}

	/** {@code {"enabled": true, "hour_utc": 3}} or {@code {"schedule_at": "4:00 UTC"}}. */
	record ScheduleRequest(Boolean enabled, Integer hourUtc, String scheduleAt) {
	}

	@GetMapping
	BackupScheduleService.Schedule get(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		return this.schedules.get(db);
	}

	@PutMapping
	BackupScheduleService.Schedule put(Caller caller, @PathVariable String db, @RequestBody ScheduleRequest request) {
		caller.requireAccess(db);
		return this.schedules.update(db, request.enabled(), request.hourUtc(), request.scheduleAt());
	}

}
