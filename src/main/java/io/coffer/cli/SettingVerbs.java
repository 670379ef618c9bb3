package io.coffer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;
import tools.jackson.databind.JsonNode;

/** Restoring a backup and changing a database's Redis settings. */
final class SettingVerbs {

	private SettingVerbs() {
	}

	@Command(name = "restore", description = "Restore a backup into the app's database, or into a new app's.")
	static final class Restore implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Option(names = "--backup", paramLabel = "ID", description = "the backup (default: the latest successful one)")
		String backup;

		@Option(names = "--to-new-app", paramLabel = "NAME", description = "restore into a new database for this app")
		String newApp;

		@Option(names = "--no-wait", description = "return once the restore is started")
		boolean noWait;

		@Option(names = "--keys", paramLabel = "PATTERNS", split = ",",
				description = "restore only the keys matching these Redis glob patterns, comma-separated"
						+ " ('cart:*,session:42'); every other key is left as it is")
		List<String> keys;

		@Option(names = "--dry-run", description = "with --keys: count the keys that would be written, and those"
				+ " the database already holds, and write nothing")
		boolean dryRun;

		@Option(names = "--at", paramLabel = "TIME", description = "restore the database as it was at this time"
				+ " (ISO-8601, 2026-12-01T14:03:07Z): its base backup, then the commands archived up to then")
		String at;

		@Override
		public Integer call() throws InterruptedException {
			String db = this.cli.databaseId();
			if (this.dryRun && this.keys == null) {
				throw new CliException("--dry-run counts what a restore of selected keys would write: give --keys too");
			}
			if (this.at != null && (this.backup != null || this.keys != null)) {
				throw new CliException("--at restores the database as it was at a time, from the base backup Coffer"
						+ " chooses: give it without --backup and --keys");
			}
			Map<String, Object> request = new LinkedHashMap<>();
			if (this.at != null) {
				request.put("at", this.at);
			}
			else {
				request.put("backup", (this.backup != null) ? this.backup : "latest");
			}
			request.put("target", (this.newApp != null) ? "new_database" : "in_place");
			if (this.newApp != null) {
				request.put("app", this.newApp);
			}
			if (this.keys != null) {
				request.put("keys", this.keys);
				request.put("dry_run", this.dryRun);
			}
			CofferClient client = this.cli.client();
			JsonNode restore = client.requireOffered(client.send("/databases/" + db + "/restores", "POST", request),
					"restores");
			String id = restore.path("id").asString();
			PrintStream out = this.cli.console.out();
			out.println("-----> Restore " + id + " started" + ((this.at != null)
					? " (as of " + this.at + ", from base backup " + restore.path("backup").asString() + ")" : ""));
			if (this.noWait) {
				return 0;
			}
			restore = client.awaitFinished("/databases/" + db + "/restores/" + id, restore);
			if (restore.path("status").asString().equals("error")) {
				String state = restore.path("target_state").asString("");
				throw new CliException("restore " + id + " failed: " + restore.path("error").asString("no reason given")
						+ (state.isEmpty() ? "" : "; " + state));
			}
			out.println("-----> Restore " + id + " done");
			if (this.at != null) {
				out.println("       " + restore.path("checks").path("load").path("replayed").asLong()
						+ " commands replayed after the base backup");
			}
			printSelection(out, restore.path("checks").path("selection"));
			return 0;
		}

		/** Per logical database: the keys written, or for a dry run those it would write and those already there. */
		private static void printSelection(PrintStream out, JsonNode selection) {
			JsonNode perDb = selection.path("per_db");
			for (String db : perDb.propertyNames()) {
				JsonNode figures = perDb.path(db);
				String expired = (figures.path("expired").asLong() > 0)
						? " (" + figures.path("expired").asLong() + " matching keys had expired)" : "";
				if (figures.has("would_write")) {
					out.println("       " + db + ": " + figures.path("would_write").asLong() + " keys would be written; "
							+ figures.path("existing_equal").asLong() + " exist with the same value, "
							+ figures.path("existing_other").asLong() + " with another" + expired);
				}
				else {
					out.println("       " + db + ": " + figures.path("written").asLong(figures.path("matching").asLong())
							+ " keys written" + expired);
				}
			}
		}

	}

	@Command(name = "config", description = "Change the Redis settings of an app's database.")
	static final class Config implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Option(names = "--aof", arity = "1", paramLabel = "on|off", converter = OnOff.class, description = "AOF persistence")
		Boolean aof;

		@Option(names = "--rdb", arity = "1", paramLabel = "on|off", converter = OnOff.class, description = "RDB snapshots")
		Boolean rdb;

		@Option(names = "--cache-mode", arity = "1", paramLabel = "on|off", converter = OnOff.class,
				description = "evict least recently used keys when memory is full")
		Boolean cacheMode;

		@Option(names = "--force-tls", arity = "1", paramLabel = "on|off", converter = OnOff.class,
				description = "refuse connections without TLS")
		Boolean forceTls;

		@Option(names = "--timeout", paramLabel = "SECONDS",
				description = "disconnect clients idle for this long (0: never)")
		Integer timeout;

		@Option(names = "--no-wait", description = "return once the change is started")
		boolean noWait;

		@Override
		public Integer call() throws InterruptedException {
			Map<String, Object> changes = new LinkedHashMap<>();
			putIfGiven(changes, "aof", this.aof);
			putIfGiven(changes, "rdb", this.rdb);
			putIfGiven(changes, "cache_mode", this.cacheMode);
			putIfGiven(changes, "force_tls", this.forceTls);
			if (this.timeout != null) {
				changes.put("timeout", this.timeout);
			}
			if (changes.isEmpty()) {
				throw new CliException("nothing to change: pass --aof, --rdb, --cache-mode, --timeout or --force-tls");
			}
			String db = this.cli.databaseId();
			CofferClient client = this.cli.client();
			JsonNode started = client.requireOffered(client.send("/databases/" + db + "/config", "PATCH", changes),
					"changing the Redis configuration");
			PrintStream out = this.cli.console.out();
			out.println("-----> Configuration of " + db + " is being changed");
			if (Jobs.follow(client, out, started.path("job").asLong(), started, this.noWait,
					(reason) -> "the configuration of " + db + " was not changed: " + reason) == null) {
				return 0;
			}
			out.println("-----> Configuration of " + db + " changed");
			return 0;
		}

		private static void putIfGiven(Map<String, Object> changes, String name, Boolean value) {
			if (value != null) {
				changes.put(name, value);
			}
		}

	}

	@Command(name = "ca-certificate",
			description = "Save the CA certificate that a client verifies the app's database with over TLS.")
	static final class CaCertificate implements Callable<Integer> {

		/** What the service names the file, and so the default here. */
		static final String FILE_NAME = "coffer-ca.pem";

		@ParentCommand
		CofferCli cli;

		@Option(names = { "-o", "--output" }, paramLabel = "FILE",
				description = "where to write it (default: " + FILE_NAME + ", in the current folder)")
		Path output;

		@Override
		public Integer call() throws IOException {
			String db = this.cli.databaseId();
			HttpResponse<InputStream> response = this.cli.client()
				.download("/databases/" + db + "/ca-certificate", Map.of("Accept", "application/x-pem-file, application/json"),
						(answer) -> answer.isMissingRoute() ? CliException.notOffered("CA certificates", null)
								: new CliException(answer.message()));
			Path target = (this.output != null) ? this.output : Path.of(FILE_NAME);
			try (InputStream in = response.body()) {
				Files.write(target, in.readAllBytes());
			}
			this.cli.console.out().println("===> " + target);
			return 0;
		}

	}

	static final class OnOff implements ITypeConverter<Boolean> {

		@Override
		public Boolean convert(String value) {
			return switch (value.toLowerCase(java.util.Locale.ROOT)) {
				case "on", "true", "yes" -> true;
				case "off", "false", "no" -> false;
				default -> throw new TypeConversionException("expected on or off, got '" + value + "'");
			};
		}

	}

}
