package io.coffer.web.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import io.coffer.catalog.Backup;
import io.coffer.catalog.RunStatus;

/**
 * A line chart of one figure over time (of the successful backups; of a node's usage samples), laid out here so that the template
 * only draws it as inline SVG: coordinates, ticks and labels, no script.
 *
 * @param title what is drawn
 * @param line the {@code points} of the polyline
 * @param dots one per backup, with its tooltip
 * @param ticks labels of the vertical axis
 * @param firstLabel date under the first point
 * @param lastLabel date under the last point
 */
record BackupChart(String title, String line, List<Dot> dots, List<Tick> ticks, String firstLabel,
		String lastLabel) {

	// the frame of the chart: backups.html draws its axes with these numbers
	static final int WIDTH = 460;

	static final int HEIGHT = 170;

	static final int LEFT = 70;

	static final int RIGHT = 12;

	static final int TOP = 12;

	static final int BOTTOM = 30;

	/** How many backups a chart shows: the newest ones. */
	static final int SHOWN = 30;

	record Dot(String x, String y, String label) {
	}

	record Tick(String y, String label) {
	}

	static BackupChart sizes(List<Backup> backups, Formats formats) {
		return of("Archive size", backups, (backup) -> backup.archiveSize(),
				(value) -> formats.roughSize(Math.round(value)), formats);
	}

	static BackupChart durations(List<Backup> backups, Formats formats) {
		return of("Duration", backups,
				(backup) -> Duration.between(backup.startedAt(), backup.finishedAt()).toMillis() / 1000.0,
				BackupChart::seconds, formats);
	}

	/** Null when no backup is done yet: the page says so instead. */
	private static BackupChart of(String title, List<Backup> backups, ToDoubleFunction<Backup> figure,
			DoubleFunction<String> label, Formats formats) {
		List<Backup> done = backups.stream()
			.filter((backup) -> backup.status() == RunStatus.DONE && backup.archiveSize() != null
					&& backup.startedAt() != null && backup.finishedAt() != null)
			.sorted(Comparator.comparing(Backup::createdAt).reversed())
			.limit(SHOWN)
			.sorted(Comparator.comparing(Backup::createdAt))
			.toList();
		if (done.isEmpty()) {
			return null;
		}
		return plot(title, done, Backup::createdAt, figure, label, formats::shortDate, formats);
	}

	/**
	 * The chart of a figure of {@code points} (oldest first, at least one) over time.
	 *
	 * @param time the label of the first and of the last point's time
	 */
	static <T> BackupChart plot(String title, List<T> points, Function<T, Instant> at, ToDoubleFunction<T> figure,
			DoubleFunction<String> label, Function<Instant, String> time, Formats formats) {
		double max = points.stream().mapToDouble(figure).max().orElse(0);
		double top = (max > 0) ? max * 1.1 : 1;
		Instant first = at.apply(points.get(0));
		Instant last = at.apply(points.get(points.size() - 1));
		double span = Duration.between(first, last).toMillis();
		double plotWidth = WIDTH - LEFT - RIGHT;
		double plotHeight = HEIGHT - TOP - BOTTOM;
		List<Dot> dots = new ArrayList<>();
		StringBuilder line = new StringBuilder();
		for (T point : points) {
			double x = LEFT + ((span > 0) ? Duration.between(first, at.apply(point)).toMillis() / span * plotWidth
					: plotWidth / 2);
			double value = figure.applyAsDouble(point);
			double y = TOP + plotHeight - (value / top * plotHeight);
			String px = coordinate(x);
			String py = coordinate(y);
			line.append(px).append(',').append(py).append(' ');
			dots.add(new Dot(px, py, formats.dateTime(at.apply(point)) + ": " + label.apply(value)));
		}
		List<Tick> ticks = new ArrayList<>();
		for (int i = 0; i <= 2; i++) {
			double value = top * i / 2;
			ticks.add(new Tick(coordinate(TOP + plotHeight - (value / top * plotHeight)), label.apply(value)));
		}
		return new BackupChart(title, line.toString().trim(), dots, ticks, time.apply(first), time.apply(last));
	}

	private static String coordinate(double value) {
		return String.format(Locale.ROOT, "%.1f", value);
	}

	private static String seconds(double seconds) {
		return (seconds < 10) ? String.format(Locale.ROOT, "%.1f s", seconds)
				: String.format(Locale.ROOT, "%.0f s", seconds);
	}

}
