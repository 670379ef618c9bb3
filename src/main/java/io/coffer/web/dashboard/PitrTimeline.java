package io.coffer.web.dashboard;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import io.coffer.pitr.PointInTimeRecovery;

/**
 * The recoverable window drawn as a bar {@value #WIDTH} units wide, with its gaps cut out of it in red, for the
 * Backups tab's SVG (positions computed here: the page's policy allows no inline script or style to do it).
 */
record PitrTimeline(Instant from, Instant to, List<Gap> gaps) {

	static final int WIDTH = 1000;

	private static final DateTimeFormatter PICKER = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS", Locale.ROOT)
		.withZone(ZoneOffset.UTC);

	/** The earliest value of the time picker ({@code datetime-local}, which has no zone: the page says UTC). */
	public String pickerMin() {
		return PICKER.format(this.from);
	}

	public String pickerMax() {
		return PICKER.format(this.to);
	}

	/** A gap within the window: where it starts on the bar, how wide it is (at least one unit, to be seen). */
	record Gap(Instant from, Instant to, String why, int x, int width) {
	}

	/** The window of {@code status}, or null before the first segment is stored. */
	static PitrTimeline of(PointInTimeRecovery.Status status) {
		if (status.recoverableFrom() == null || status.recoverableTo() == null) {
			return null;
		}
		Instant from = status.recoverableFrom();
		Instant to = status.recoverableTo();
		double span = Math.max(1, to.toEpochMilli() - from.toEpochMilli());
		List<Gap> gaps = status.gaps()
			.stream()
			.filter((gap) -> gap.to().isAfter(from) && gap.from().isBefore(to))
			.map((gap) -> {
				long start = Math.max(gap.from().toEpochMilli(), from.toEpochMilli());
				long end = Math.min(gap.to().toEpochMilli(), to.toEpochMilli());
				int x = (int) Math.round((start - from.toEpochMilli()) / span * WIDTH);
				int width = Math.max(1, (int) Math.round((end - start) / span * WIDTH));
				return new Gap(gap.from(), gap.to(), gap.why(), Math.min(x, WIDTH - 1), Math.min(width, WIDTH - x));
			})
			.toList();
		return new PitrTimeline(from, to, gaps);
	}

}
