package io.coffer.cli;

import java.io.PrintStream;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** Listing, taking and scheduling backups. */
final class BackupVerbs {



	private BackupVerbs() {
	}

	@Command(name = "backups", description = "List an app's backups, newest first.")
	static final class Backups implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Override
		public Integer call() {
			String db = this.cli.databaseId();
			JsonNode backups = this.cli.client().get("/databases/" + db + "/backups");
			// the Copy column once the service keeps copies: its backups then say how their copy stands
			boolean copies = false;
			for (JsonNode backup : backups) {
				copies |= backup.path("copy").isObject();
			}
			AsciiTable table = copies ? new AsciiTable("ID", "Created At", "Size", "Status", "Verified", "Copy")
					: new AsciiTable("ID", "Created At", "Size", "Status", "Verified");
			for (JsonNode backup : backups) {
				JsonNode size = backup.path("size");
				String id = backup.path("id").asString();
				String createdAt = Dates.format(backup.path("created_at").asString(""));
				String shownSize = size.isNumber() ? Sizes.decimal(size.asLong()) : "";
				String status = backup.path("status").asString();
				if (copies) {
					table.row(id, createdAt, shownSize, status, verified(backup), backup.path("copy").path("state").asString(""));
				}
				else {
					table.row(id, createdAt, shownSize, status, verified(backup));
				}
			}
			this.cli.console.out().print(table.render());
			return 0;
		}

		/** "damaged" once a read found it so (whatever read it), else when verifyBackupsJob last found it sound. */
		private static String verified(JsonNode backup) {
			if (!backup.path("integrity_error").asString("").isEmpty()) {
				return "damaged";
			}
			return Dates.format(backup.path("verified_at").asString(""));
		}

	}

	@Command(name = "backups-create", description = "Take a backup now and wait until it is done.")
	static final class BackupsCreate implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Option(names = "--no-wait", description = "return once the backup is started")
		boolean noWait;

		@Override
		public Integer call() throws InterruptedException {
			String db = this.cli.databaseId();
			CofferClient client = this.cli.client();
			JsonNode backup = client.require(client.send("/databases/" + db + "/backups", "POST", null));
			String id = backup.path("id").asString();
			PrintStream out = this.cli.console.out();
			out.println("-----> Backup " + id + " started");
			if (this.noWait) {
				out.println("       Follow it with: coffer --app " + this.cli.app + " backups");
				return 0;
			}
			backup = client.awaitFinished("/databases/" + db + "/backups/" + id, backup);
			if (backup.path("status").asString().equals("error")) {
				throw new CliException("backup " + id + " failed: " + backup.path("error").asString("no reason given"));
			}
			out.println("-----> Backup " + id + " done (" + Sizes.decimal(backup.path("size").asLong()) + ")");
			out.println("       Download it with: coffer --app " + this.cli.app + " backups-download --backup " + id);
			return 0;
		}

	}

	@Command(name = "backups-config", description = "Show or set when periodic backups are taken.")
	static final class BackupsConfig implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Option(names = "--schedule-at", paramLabel = "HOUR",
				description = "\"4:00 UTC\", or a local hour like \"4:00\" (converted to UTC)")
		String scheduleAt;

		@Option(names = "--every-hours", paramLabel = "N",
				description = "a backup every N hours from that hour: 1, 2, 3, 4, 6, 8, 12 or 24 (once a day), as the plan allows")
		Integer everyHours;

		@Override
		public Integer call() {
			String db = this.cli.databaseId();
			CofferClient client = this.cli.client();
			PrintStream out = this.cli.console.out();
			String path = "/databases/" + db + "/backup-schedule";
			if (this.scheduleAt == null && this.everyHours == null) {
				JsonNode schedule = client.get(path);
				out.println(schedule.path("enabled").asBoolean() ? "-----> Periodic backups are done " + describe(schedule)
						: "-----> Periodic backups are disabled");
				return 0;
			}
			Map<String, Object> request = new LinkedHashMap<>();
			request.put("enabled", true);
			if (this.scheduleAt != null) {
				try {
					request.put("hour_utc", ScheduleAt.hourUtc(this.scheduleAt, this.cli.console.zone(),
							LocalDate.now(this.cli.console.clock().withZone(this.cli.console.zone()))));
				}
				catch (IllegalArgumentException ex) {
					throw new CliException(ex.getMessage());
				}
			}
			if (this.everyHours != null) {
				request.put("every_hours", this.everyHours);
			}
			JsonNode schedule = client.requireOffered(client.send(path, "PUT", request), "changing the backup schedule");
			out.println("-----> Periodic backups will be done " + describe(schedule));
			return 0;
		}

		/** "daily at 4:00 UTC", or "every 6 hours from 4:00 UTC": the hour chosen, else the time it starts. */
		private static String describe(JsonNode schedule) {
			String at = schedule.path("hour_utc").isNumber() ? ScheduleAt.describe(schedule.path("hour_utc").asInt())
					: schedule.path("schedule_at").asString();
			int everyHours = schedule.path("every_hours").asInt(24);
			return (everyHours >= 24) ? "daily at " + at : "every " + everyHours + " hours from " + at;
		}

	}

}
