package io.coffer.web.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.springframework.stereotype.Component;

/** Sizes, dates and ages as people read them; the templates call it as {@code @formats}. */
@Component("formats")
class Formats {

	private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'",
			Locale.ENGLISH).withZone(ZoneOffset.UTC);

	private static final DateTimeFormatter PRECISE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
		.withZone(ZoneOffset.UTC);

	private static final DateTimeFormatter SHORT_DATE = DateTimeFormatter.ofPattern("dd MMM HH:mm", Locale.ENGLISH)
		.withZone(ZoneOffset.UTC);

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH)
		.withZone(ZoneOffset.UTC);

	private static final String[] UNITS = { "B", "KiB", "MiB", "GiB", "TiB" };

	private final Clock clock;

	Formats(Clock clock) {
		this.clock = clock;
	}

	public String size(Long bytes) {
		if (bytes == null) {
			return "";
		}
		double value = bytes;
		int unit = 0;
		while (value >= 1024 && unit < UNITS.length - 1) {
			value /= 1024;
			unit++;
		}
		return (unit == 0) ? bytes + " B" : String.format(Locale.ROOT, "%.2f %s", value, UNITS[unit]);
	}

	/** A size for an axis: as few digits as tell it apart, "650 KiB", "1.5 MiB". */
	public String roughSize(long bytes) {
		double value = bytes;
		int unit = 0;
		while (value >= 1024 && unit < UNITS.length - 1) {
			value /= 1024;
			unit++;
		}
		String digits = (value >= 10 || unit == 0) ? "%.0f" : "%.1f";
		return String.format(Locale.ROOT, digits + " %s", value, UNITS[unit]);
	}

	public String dateTime(Instant instant) {
		return (instant != null) ? DATE_TIME.format(instant) : "";
	}

	/** "2026-12-01 14:03:07.250 UTC": a point in time to the millisecond, as a restore to it takes it. */
	public String preciseTime(Instant instant) {
		return (instant != null) ? PRECISE.format(instant) + " UTC" : "";
	}

	public String shortDate(Instant instant) {
		return (instant != null) ? SHORT_DATE.format(instant) : "";
	}

	/** "14:05", UTC: for the last hour's samples. */
	public String time(Instant instant) {
		return (instant != null) ? TIME.format(instant) : "";
	}

	/** "12.5 %" of a core; "not measured yet" before the second sample. */
	public String cpu(Double percent) {
		return (percent != null) ? String.format(Locale.ROOT, "%.1f %%", percent) : "not measured yet";
	}

	/** "3 hours ago", "2 days ago". */
	public String age(Instant instant) {
		if (instant == null) {
			return "";
		}
		return duration(Duration.between(instant, this.clock.instant())) + " ago";
	}

	public String duration(Duration duration) {
		long seconds = Math.max(0, duration.getSeconds());
		if (seconds < 60) {
			return plural(seconds, "second");
		}
		if (seconds < 3600) {
			return plural(seconds / 60, "minute");
		}
		if (seconds < 2 * 86400) {
			return plural(seconds / 3600, "hour");
		}
		return plural(seconds / 86400, "day");
	}

	public String seconds(long seconds) {
		return duration(Duration.ofSeconds(seconds));
	}

	/** Whether a last backup deserves red: older than a day. */
	public boolean stale(Instant instant) {
		return instant == null || Duration.between(instant, this.clock.instant()).compareTo(Duration.ofDays(1)) > 0;
	}

	private static String plural(long count, String unit) {
		return count + " " + unit + ((count == 1) ? "" : "s");
	}

}
