package io.coffer.cli;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hour of a daily backup as people write it: {@code "4:00 UTC"}, or a local time
 * ({@code "4:00"}, {@code "16"}) taken in the given zone and turned into the UTC hour the
 * service keeps. Backups run on the hour, so minutes other than {@code 00} are refused.
 */
final class ScheduleAt {

	private static final Pattern FORMAT = Pattern.compile("(\\d{1,2})(?::(\\d{2}))?\\s*(UTC|Z)?",
			Pattern.CASE_INSENSITIVE);

	private ScheduleAt() {
	}

	static int hourUtc(String text, ZoneId localZone, LocalDate day) {
		Matcher matcher = FORMAT.matcher(text.strip());
		if (!matcher.matches()) {
			throw new IllegalArgumentException(
					"cannot read schedule '" + text + "': expected an hour like \"4:00 UTC\" or \"4:00\" (local time)");
		}
		int hour = Integer.parseInt(matcher.group(1));
		if (hour > 23) {
			throw new IllegalArgumentException("cannot read schedule '" + text + "': the hour must be 0 to 23");
		}
		if (matcher.group(2) != null && !matcher.group(2).equals("00")) {
			throw new IllegalArgumentException(
					"cannot read schedule '" + text + "': backups start on the hour, so write " + hour + ":00");
		}
		if (matcher.group(3) != null) {
			return hour;
		}
		// the offset of the given day: a local hour maps to a different UTC hour in summer and winter
		return day.atTime(LocalTime.of(hour, 0))
			.atZone(localZone)
			.withZoneSameInstant(ZoneOffset.UTC)
			.getHour();
	}

	static String describe(int hourUtc) {
		return String.format(Locale.ROOT, "%d:00 UTC", hourUtc);
	}

}
