package io.coffer.web;

import java.util.List;

import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.node.PlanCatalogue;
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

	private final DatabaseRepository databases;

	private final PlanCatalogue plans;

	BackupScheduleController(BackupScheduleService schedules, DatabaseRepository databases, PlanCatalogue plans) {
		this.schedules = schedules;
		this.databases = databases;
		this.plans = plans;
	}

	/** {@code {"enabled": true, "hour_utc": 3, "every_hours": 6}} or {@code {"schedule_at": "4:00 UTC"}}. */
	record ScheduleRequest(Boolean enabled, Integer hourUtc, String scheduleAt, Integer everyHours) {
	}

	@GetMapping
	BackupScheduleService.Schedule get(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		return this.schedules.get(db, allowedEveryHours(db));
	}

	@PutMapping
	BackupScheduleService.Schedule put(Caller caller, @PathVariable String db, @RequestBody ScheduleRequest request) {
		caller.requireAccess(db);
		return this.schedules.update(db, request.enabled(), request.hourUtc(), request.scheduleAt(),
				request.everyHours(), allowedEveryHours(db));
	}

	private List<Integer> allowedEveryHours(String db) {
		return this.plans.everyHoursAllowed(this.databases.findLive(db)
			.orElseThrow(() -> new DatabaseNotFound(db))
			.plan());
	}

}
