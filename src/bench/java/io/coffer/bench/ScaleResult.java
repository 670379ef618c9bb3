package io.coffer.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One run's figures and checks, from the catalogue's rows and the samples, and the report of all runs. */
record ScaleResult(int databases, int instances, int nodes, String chaos, List<String> figures,
		List<String> checks, boolean passed, double rssPeakMb, double statementsPerBackup) {

	/** One periodic backup of the window, as the catalogue has it at the end. */
	record BackupRow(String id, String databaseId, String status, String instanceId, Instant createdAt,
			Instant finishedAt, String error, int attempt) {
	}

	/** One statement of Coffer's, from pg_stat_statements. */
	record StatementRow(String query, long calls, long rows) {
	}

	static List<BackupRow> readBackups(Connection catalogue, Instant windowStart, List<String> ids)
			throws SQLException {
		List<BackupRow> rows = new ArrayList<>();
		try (Statement statement = catalogue.createStatement();
				ResultSet result = statement.executeQuery("select id, database_id, status, instance_id, created_at, finished_at, error, attempt "
						+ "from backups where method = 'periodic' and created_at >= '" + windowStart.minusSeconds(5) + "'")) {
			while (result.next()) {
				Timestamp finished = result.getTimestamp(6);
				rows.add(new BackupRow(result.getString(1), result.getString(2), result.getString(3), result.getString(4),
						result.getTimestamp(5).toInstant(), (finished != null) ? finished.toInstant() : null,
						result.getString(7), result.getInt(8)));
			}
		}
		return rows;
	}

	/** Coffer's statements (user postgres) since the window started, most called first. */
	static List<StatementRow> readStatements(Connection catalogue) throws SQLException {
		List<StatementRow> rows = new ArrayList<>();
		try (Statement statement = catalogue.createStatement();
				ResultSet result = statement.executeQuery("select query, calls, rows from pg_stat_statements "
						+ "where userid = (select oid from pg_roles where rolname = 'postgres') "
						+ "and dbid = (select oid from pg_database where datname = current_database()) order by calls desc")) {
			while (result.next()) {
				rows.add(new StatementRow(result.getString(1), result.getLong(2), result.getLong(3)));
			}
		}
		return rows;
	}

	/** Collects a run's measurements; {@link #build()} works out the figures and the checks. */
	static final class Builder {

		private final int databases;

		private final int instances;

		private final Duration window;

		private final Instant windowStart;

		private final int nodes;

		private final String chaosName;

		private List<BackupRow> backups = List.of();

		private long skips;

		private List<StatementRow> statements = List.of();

		private long webhooks;

		private ScaleSampler sampler;

		private ScaleChaos chaos;

		private List<String> ids = List.of();

		Builder(int databases, int instances, Duration window, Instant windowStart, int nodes, String chaos) {
			this.databases = databases;
			this.instances = instances;
			this.window = window;
			this.windowStart = windowStart;
			this.nodes = nodes;
			this.chaosName = chaos;
		}

		Builder ids(List<String> ids) {
			this.ids = ids;
			return this;
		}

		Builder backups(List<BackupRow> backups) {
			this.backups = backups;
			return this;
		}

		Builder skips(long skips) {
			this.skips = skips;
			return this;
		}

		Builder statements(List<StatementRow> statements) {
			this.statements = statements;
			return this;
		}

		Builder webhooks(long webhooks) {
			this.webhooks = webhooks;
			return this;
		}

		Builder sampler(ScaleSampler sampler) {
			this.sampler = sampler;
			return this;
		}

		Builder chaos(ScaleChaos chaos) {
			this.chaos = chaos;
			return this;
		}

		private double secondsFromStart(Instant at) {
			return (at != null) ? Duration.between(this.windowStart, at).toMillis() / 1000.0 : Double.NaN;
		}

		ScaleResult build() {
			List<String> figures = new ArrayList<>();
			List<String> checks = new ArrayList<>();
			boolean passed = true;
			Map<String, List<BackupRow>> doneByDatabase = new HashMap<>();
			Map<String, Integer> doneByInstance = new TreeMap<>();
			Instant lastDone = this.windowStart;
			long errors = 0;
			long inFlight = 0;
			String firstError = null;
			for (BackupRow row : this.backups) {
				switch (row.status()) {
					case "done" -> {
						doneByDatabase.computeIfAbsent(row.databaseId(), (id) -> new ArrayList<>()).add(row);
						doneByInstance.merge(String.valueOf(row.instanceId()), 1, Integer::sum);
						if (row.finishedAt() != null && row.finishedAt().isAfter(lastDone)) {
							lastDone = row.finishedAt();
						}
					}
					case "error" -> {
						errors++;
						firstError = (firstError != null) ? firstError : row.error();
					}
					default -> inFlight++;
				}
			}
			double minutes = Math.max(1, Duration.between(this.windowStart, lastDone).toMillis()) / 60_000.0;
			long done = doneByInstance.values().stream().mapToLong(Integer::longValue).sum();
			StringBuilder perInstance = new StringBuilder();
			doneByInstance.forEach((instance, count) -> perInstance.append(String.format(Locale.ROOT, "%s %d (%.0f/min), ",
					instance, count, count / minutes)));
			figures.add(String.format(Locale.ROOT, "backups done: %d in %.1f min from the window's start = %.0f/min in all; "
					+ "per instance: %s; failed attempts %d%s; skipped %d", done, minutes, done / minutes,
					perInstance.toString().replaceAll(", $", ""), errors,
					(firstError != null) ? " (first: " + abbreviate(firstError, 160) + ")" : "", this.skips));
			List<Long> latencies = new ArrayList<>();
			long windowSeconds = Math.max(1, Math.min(this.window.toSeconds(), Duration.ofDays(1).toSeconds()));
			for (Map.Entry<String, List<BackupRow>> entry : doneByDatabase.entrySet()) {
				Instant due = this.windowStart.plusSeconds(spread(entry.getKey(), windowSeconds));
				Instant finished = entry.getValue().stream().map(BackupRow::finishedAt).filter((at) -> at != null)
					.min(Instant::compareTo).orElse(null);
				if (finished != null) {
					latencies.add(Duration.between(due, finished).toMillis());
				}
			}
			Collections.sort(latencies);
			figures.add(String.format(Locale.ROOT, "due → done: median %.1f s, p99 %.1f s, max %.1f s",
					percentile(latencies, 50) / 1000.0, percentile(latencies, 99) / 1000.0,
					percentile(latencies, 100) / 1000.0));
			double rssPeak = 0;
			for (int i = 0; i < this.instances; i++) {
				double cpu = this.sampler.cpuSeconds(i);
				rssPeak = Math.max(rssPeak, this.sampler.rssPeakKb(i) / 1024.0);
				figures.add(String.format(Locale.ROOT,
						"bench-%d: CPU %.0f s (%.0f %% of a core over %.1f min); RSS %.0f MB at the start, peak %.0f MB, "
								+ "%.0f MB at the end",
						i + 1, cpu, 100 * cpu / (minutes * 60), minutes, this.sampler.rssAtStartKb(i) / 1024.0,
						this.sampler.rssPeakKb(i) / 1024.0, this.sampler.rssLastKb(i) / 1024.0));
			}
			long calls = this.statements.stream().mapToLong(StatementRow::calls).sum();
			long quartzCalls = this.statements.stream()
				.filter((row) -> row.query().toLowerCase(Locale.ROOT).contains("qrtz_"))
				.mapToLong(StatementRow::calls)
				.sum();
			double perBackup = (done > 0) ? (double) calls / done : 0;
			figures.add(String.format(Locale.ROOT, "catalogue statements: %d = %.1f per backup done (Quartz's %.1f, "
					+ "the rest %.1f); the most called:", calls, perBackup, (done > 0) ? (double) quartzCalls / done : 0,
					(done > 0) ? (double) (calls - quartzCalls) / done : 0));
			for (StatementRow row : this.statements.subList(0, Math.min(8, this.statements.size()))) {
				figures.add(String.format(Locale.ROOT, "    %.2f per backup, %.1f rows each: `%s`",
						(done > 0) ? (double) row.calls() / done : 0, (row.calls() > 0) ? (double) row.rows() / row.calls()
								: 0, abbreviate(row.query().replaceAll("\\s+", " "), 110)));
			}
			figures.add(String.format(Locale.ROOT, "webhook deliveries: %d = %.0f/min", this.webhooks,
					this.webhooks / minutes));
			List<Long> api = new ArrayList<>(this.sampler.apiMillis());
			Collections.sort(api);
			figures.add(String.format(Locale.ROOT, "GET /databases/{db}/backups during the window: %d calls, median %d ms, "
					+ "p99 %d ms, %d failed", api.size(), percentile(api, 50), percentile(api, 99),
					this.sampler.apiFailures()));

			long missing = this.ids.stream().filter((id) -> !doneByDatabase.containsKey(id)).count();
			long twice = doneByDatabase.values().stream().filter((rows) -> rows.size() > 1).count();
			passed &= check(checks, missing == 0 && twice == 0, String.format(Locale.ROOT,
					"each of the %d databases has exactly one done backup of the window (%d without, %d with more than one)",
					this.databases, missing, twice));
			passed &= check(checks, inFlight == 0,
					String.format(Locale.ROOT, "no backup left scheduled or running (%d)", inFlight));
			Instant windowEnd = this.windowStart.plus(this.window);
			List<BackupRow> lateRows = doneByDatabase.values().stream().map((rows) -> rows.get(0))
				.filter((row) -> row.finishedAt() == null || row.finishedAt().isAfter(windowEnd))
				.toList();
			long late = lateRows.size();
			passed &= check(checks, late == 0, String.format(Locale.ROOT,
					"every backup done inside the window (%d done after it ended)", late));
			// which ones, so that a miss can be followed in the instances' logs
			for (BackupRow row : lateRows.subList(0, Math.min(5, lateRows.size()))) {
				figures.add(String.format(Locale.ROOT, "late: %s of %s on %s, attempt %d, created at +%.0f s, done at +%.0f s",
						row.id(), row.databaseId(), row.instanceId(), row.attempt(),
						secondsFromStart(row.createdAt()), secondsFromStart(row.finishedAt())));
			}
			if (this.chaos != null && !"none".equals(this.chaosName)) {
				figures.add("chaos at +" + ((this.chaos.happenedAt() != null)
						? Duration.between(this.windowStart, this.chaos.happenedAt()).toSeconds() + " s" : "?") + ": "
						+ this.chaos.outcome);
				passed &= check(checks, !this.chaos.failed, "the chaos step itself (" + this.chaos.outcome + ")");
				if (!this.chaos.victimInFlight.isEmpty() || this.chaos.victim != null) {
					long victimDone = this.backups.stream()
						.filter((row) -> this.chaos.victimInFlight.contains(row.id()) && "done".equals(row.status()))
						.count();
					Instant lastMarked = this.backups.stream()
						.filter((row) -> this.chaos.victimInFlight.contains(row.id()) && "error".equals(row.status()))
						.map(BackupRow::finishedAt).filter((at) -> at != null).max(Instant::compareTo).orElse(null);
					figures.add(String.format(Locale.ROOT, "%s had %d backups in flight; %d of them ended done, the last "
							+ "marked failed %s after the chaos", this.chaos.victim, this.chaos.victimInFlight.size(),
							victimDone, (lastMarked != null) ? Duration.between(this.chaos.happenedAt(), lastMarked)
								.toSeconds() + " s" : "—"));
					if ("stop".equals(this.chaosName)) {
						passed &= check(checks, victimDone == 0, String.format(Locale.ROOT,
								"fencing: none of the frozen instance's %d backups in flight committed done after "
										+ "being taken over (%d did)", this.chaos.victimInFlight.size(), victimDone));
					}
				}
			}
			if ("load".equals(this.chaosName)) {
				passed &= check(checks, percentile(api, 99) < 200, String.format(Locale.ROOT,
						"p99 of GET /databases/{db}/backups under 200 ms (%d ms)", percentile(api, 99)));
			}
			return new ScaleResult(this.databases, this.instances, this.nodes, this.chaosName, figures, checks, passed,
					rssPeak, perBackup);
		}

	}

	static String report(ScaleBenchmark.Options options, List<ScaleResult> results) {
		StringBuilder report = new StringBuilder();
		for (ScaleResult result : results) {
			report.append(String.format(Locale.ROOT, "%n%d databases over %d redis-server, %d instances, chaos %s:%n%n",
					result.databases(), result.nodes(), result.instances(), result.chaos()));
			result.figures().forEach((line) -> report.append("- ").append(line).append('\n'));
			report.append('\n');
			result.checks().forEach((line) -> report.append("- ").append(line).append('\n'));
		}
		if (results.size() > 1) {
			ScaleResult small = results.get(0);
			ScaleResult large = results.get(results.size() - 1);
			double rssRatio = large.rssPeakMb() / small.rssPeakMb();
			double statementRatio = large.statementsPerBackup() / small.statementsPerBackup();
			report.append('\n');
			report.append(String.format(Locale.ROOT, "- %s: peak RSS flat in the number of databases (%.0f MB at %d, "
					+ "%.0f MB at %d: ×%.2f, at most ×1.25)%n", (rssRatio <= 1.25) ? "PASS" : "FAIL", small.rssPeakMb(),
					small.databases(), large.rssPeakMb(), large.databases(), rssRatio));
			report.append(String.format(Locale.ROOT, "- %s: catalogue statements per backup independent of the number "
					+ "of databases (%.1f at %d, %.1f at %d: ×%.2f, at most ×1.25)%n",
					(statementRatio <= 1.25) ? "PASS" : "FAIL", small.statementsPerBackup(), small.databases(),
					large.statementsPerBackup(), large.databases(), statementRatio));
		}
		return report.toString();
	}

	private static boolean check(List<String> checks, boolean ok, String what) {
		if (!what.isEmpty()) {
			checks.add((ok ? "PASS: " : "FAIL: ") + what);
		}
		return ok;
	}

	private static long percentile(List<Long> sorted, int percent) {
		if (sorted.isEmpty()) {
			return 0;
		}
		int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
	}

	private static String abbreviate(String text, int length) {
		return (text.length() <= length) ? text : text.substring(0, length) + "…";
	}

	/** The offset of a database's backup in the window, as Coffer's schedules compute it from its id. */
	static long spread(String databaseId, long range) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(databaseId.getBytes(StandardCharsets.UTF_8));
			long value = 0;
			for (int i = 0; i < 8; i++) {
				value = (value << 8) | (digest[i] & 0xff);
			}
			return Math.floorMod(value, range);
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
