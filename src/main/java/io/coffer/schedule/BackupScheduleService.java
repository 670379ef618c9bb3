package io.coffer.schedule;

import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.node.Plan;
import io.coffer.system.CofferException;
import io.coffer.system.InvalidRequest;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What {@code GET/PUT /databases/{db}/backup-schedule} reads and changes. */
@Service
public class BackupScheduleService {

	private static final Pattern SCHEDULE_AT = Pattern.compile("\\s*(\\d{1,2})(?::(\\d{2}))?\\s*(?:([A-Za-z]+))?\\s*");

	private static final int SKIPS_SHOWN = 10;

	private final DatabaseRepository databases;

	private final DatabaseSchedules schedules;

	private final BackupSkips skips;

	private final JdbcClient jdbc;

	BackupScheduleService(DatabaseRepository databases, DatabaseSchedules schedules, BackupSkips skips,
			JdbcClient jdbc) {
		this.databases = databases;
		this.schedules = schedules;
		this.skips = skips;
		this.jdbc = jdbc;
	}

	/**
	 * A database's periodic backup: {@code hourUtc} is the chosen hour (null: spread over the nightly
	 * window), {@code scheduleAt} the time it actually starts each day, again every {@code everyHours}
	 * hours after it; {@code allowedEveryHours} are the intervals its plan allows.
	 */
	public record Schedule(boolean enabled, Integer hourUtc, String scheduleAt, int everyHours,
			List<Integer> allowedEveryHours, Instant nextRun, List<Skipped> skipped) {
	}

	public record Skipped(Instant scheduledFor, String reason) {
	}

	/** @param allowedEveryHours the intervals the database's plan allows */
	public Schedule get(String databaseId, List<Integer> allowedEveryHours) {
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> new DatabaseNotFound(databaseId));
		LocalTime at = this.schedules.timeOf(database);
		List<Skipped> skipped = this.skips.recent(databaseId, SKIPS_SHOWN)
			.stream()
			.map((skip) -> new Skipped(skip.scheduledFor(), skip.reason()))
			.toList();
		return new Schedule(database.scheduleEnabled(), database.scheduleHourUtc(),
				"%d:%02d UTC".formatted(at.getHour(), at.getMinute()), this.schedules.everyHoursOf(databaseId),
				allowedEveryHours, database.scheduleEnabled() ? this.schedules.nextRun(databaseId).orElse(null) : null, skipped);
	}

	/**
	 * Changes the schedule: {@code hourUtc} or {@code scheduleAt} (like {@code "4:00 UTC"}) choose the
	 * hour, {@code everyHours} how often after it; either switches the schedule on unless {@code enabled}
	 * says otherwise.
	 * @param allowedEveryHours the intervals the database's plan allows
	 * @throws CofferException {@code InvalidRequest} with a sentence for an invalid value, {@link ScheduleRefused}
	 * for an interval that is not one of {@link Plan#EVERY_HOURS} or that the plan does not allow
	 */
	@Transactional
	public Schedule update(String databaseId, Boolean enabled, Integer hourUtc, String scheduleAt, Integer everyHours,
			List<Integer> allowedEveryHours) {
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> new DatabaseNotFound(databaseId));
		if (hourUtc != null && scheduleAt != null) {
			throw new InvalidRequest("give either hour_utc or schedule_at, not both");
		}
		if (enabled == null && hourUtc == null && scheduleAt == null && everyHours == null) {
			throw new InvalidRequest(
					"give enabled, hour_utc (0 to 23), schedule_at (like \"4:00 UTC\") or every_hours ("
							+ Plan.EVERY_HOURS.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
		}
		if (everyHours != null && !Plan.EVERY_HOURS.contains(everyHours)) {
			throw new ScheduleRefused("invalid_every_hours",
					"every_hours must divide a day: one of " + Plan.EVERY_HOURS.stream().map(String::valueOf)
						.collect(Collectors.joining(", ")) + " (24 is once a day), not " + everyHours);
		}
		if (everyHours != null && !allowedEveryHours.contains(everyHours)) {
			throw new ScheduleRefused("every_hours_not_in_plan",
					"the plan " + database.plan() + " allows backups every " + allowedEveryHours.stream()
						.map(String::valueOf).collect(Collectors.joining(", ")) + " hours, not every " + everyHours
							+ "; a larger plan allows more");
		}
		Integer hour = (scheduleAt != null) ? Integer.valueOf(parseScheduleAt(scheduleAt)) : hourUtc;
		if (hour != null && (hour < 0 || hour > 23)) {
			throw new InvalidRequest("hour_utc must be a whole hour from 0 to 23 (UTC), not " + hour);
		}
		boolean on = (enabled != null) ? enabled : (hour != null || everyHours != null || database.scheduleEnabled());
		Integer newHour = (hour != null) ? hour : database.scheduleHourUtc();
		int newEveryHours = (everyHours != null) ? everyHours : this.schedules.everyHoursOf(databaseId);
		this.jdbc.sql("update databases set schedule_enabled = ?, schedule_hour_utc = ?, schedule_every_hours = ? where id = ?")
			.params(on, newHour, newEveryHours, databaseId)
			.update();
		this.schedules.apply(this.databases.findLive(databaseId).orElseThrow());
		return get(databaseId, allowedEveryHours);
	}

	/** {@code "4:00 UTC"}, {@code "04:00"}, {@code "4"}: a whole hour, in UTC. */
	static int parseScheduleAt(String value) {
		Matcher matcher = SCHEDULE_AT.matcher(value);
		if (!matcher.matches()) {
			throw new InvalidRequest(
					"schedule_at must be a whole hour in UTC, like \"4:00 UTC\", not \"" + value + "\"");
		}
		String zone = matcher.group(3);
		if (zone != null && !zone.toUpperCase(Locale.ROOT).equals("UTC") && !zone.toUpperCase(Locale.ROOT).equals("GMT")) {
			throw new InvalidRequest("schedule_at is in UTC; write it like \"4:00 UTC\", not in " + zone);
		}
		if (matcher.group(2) != null && !matcher.group(2).equals("00")) {
			throw new InvalidRequest("schedule_at must be a whole hour, like \"4:00 UTC\": backups start "
					+ "at a point of that hour chosen to spread the load");
		}
		int hour = Integer.parseInt(matcher.group(1));
		if (hour > 23) {
			throw new InvalidRequest("schedule_at must be an hour from 0:00 to 23:00 UTC, not \"" + value + "\"");
		}
		return hour;
	}

}
