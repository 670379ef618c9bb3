package io.coffer.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** The engine version of a database: which it runs, which it may move to, and the upgrade itself. */
final class EngineVerbs {

	private EngineVerbs() {
	}

	@Command(name = "database-upgrade", description = "Show the engine version of an app's database and the "
			+ "versions it may be upgraded to; with --version, upgrade it.")
	static final class DatabaseUpgrade implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Option(names = "--version", paramLabel = "X.Y.Z", description = "the version to upgrade to (no downgrade)")
		String version;

		@Option(names = "--engine", paramLabel = "ENGINE", description = "redis or valkey: the engine to move to "
				+ "(the database's own when absent)")
		String engine;

		@Option(names = "--no-wait", description = "return once the upgrade is started")
		boolean noWait;

		@Override
		public Integer call() throws InterruptedException {
			String db = this.cli.databaseId();
			CofferClient client = this.cli.client();
			PrintStream out = this.cli.console.out();
			if (this.version == null) {
				list(client.get("/databases/" + db), out);
				return 0;
			}
			Map<String, Object> body = (this.engine != null) ? Map.of("engine", this.engine, "version", this.version)
					: Map.of("version", this.version);
			JsonNode started = client.requireOffered(client.send("/databases/" + db + "/upgrade", "POST", body),
					"engine upgrades");
			out.println("-----> Upgrade of " + db + " to " + this.version + " started");
			if (Jobs.follow(client, out, started.path("job").asLong(), started, this.noWait,
					(reason) -> db + " was not upgraded to " + this.version + ": " + reason) == null) {
				return 0;
			}
			out.println("-----> " + db + " runs " + this.version);
			return 0;
		}

		private static void list(JsonNode database, PrintStream out) {
			JsonNode upgrade = database.path("upgrade");
			String version = database.path("version").asString("");
			String engine = "valkey".equals(database.path("engine").asString("")) ? "Valkey " : "Redis ";
			out.println("-----> " + database.path("id").asString() + " runs "
					+ (version.isEmpty() ? "an engine version Coffer does not know" : engine + version));
			AsciiTable table = new AsciiTable("Version", "Upgrade");
			upgrade.path("available").forEach((available) -> table.row(available.asString(), "available now"));
			upgrade.path("blocked").forEach((blocked) -> table.row(blocked.path("version").asString(),
					blocked.path("reason").asString()));
			if (!upgrade.path("available").isEmpty() || !upgrade.path("blocked").isEmpty()) {
				out.print(table.render());
			}
			String none = upgrade.path("unavailable_reason").asString("");
			if (!none.isEmpty()) {
				out.println("       No upgrade available: " + none);
			}
			else {
				out.println("       Upgrading means " + upgrade.path("downtime").asString());
			}
		}

	}

}
