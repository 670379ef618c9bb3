package io.coffer.cli;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** The verbs about databases themselves, named after the Scalingo CLI's addon verbs. */
final class AddonVerbs {

	private AddonVerbs() {
	}

	@Command(name = "addons-plans", description = "List the plans a database can be provisioned with.")
	static final class Plans implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Parameters(index = "0", arity = "0..1", paramLabel = "ADDON",
				description = "redis, as the platform's CLI takes it (optional: there is no other)")
		String addon;

		@Override
		public Integer call() {
			requireAddonName(this.addon);
			CofferClient client = this.cli.client();
			CofferClient.Answer answer = client.send("/plans", "GET", null);
			if (answer.isMissingRoute()) {
				throw CliException.notOffered("plans", "it registers existing Redis databases only");
			}
			AsciiTable table = new AsciiTable("Name", "Memory", "Nodes", "Sentinels");
			for (JsonNode plan : client.require(answer)) {
				table.row(plan.path("name").asString(), plan.path("memory_mb").asString() + " MB",
						plan.path("nodes").asString(), plan.path("sentinels").asString());
			}
			this.cli.console.out().print(table.render());
			return 0;
		}

	}

	@Command(name = "addons", description = "Show the Redis database of an app.")
	static final class Addons implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Override
		public Integer call() {
			JsonNode database = this.cli.database();
			AsciiTable table = new AsciiTable("Addon", "ID", "Plan", "Status", "Engine");
			JsonNode plan = database.path("plan");
			// a registered database was brought by its operator and has no plan of ours
			String planShown = (plan.isString() && !plan.asString().isBlank()) ? plan.asString()
					: "(" + database.path("kind").asString("no plan") + ")";
			// the list does not say which engine each database runs (for a registered one that takes asking its
			// primary): the database's own answer does
			JsonNode detail = this.cli.client().get("/databases/" + database.path("id").asString());
			table.row("Redis", database.path("id").asString(), planShown, database.path("status").asString(""),
					engineShown(detail));
			this.cli.console.out().print(table.render());
			return 0;
		}

		/**
		 * The engine as {@code GET /databases/{db}} names it, {@code redis 7.0.15}; its name alone while its
		 * version is unknown (a registered database whose primary does not answer).
		 */
		private static String engineShown(JsonNode database) {
			String engine = database.path("engine").asString("");
			String version = database.path("version").asString("");
			String shown = (engine + " " + version).trim();
			return shown.isEmpty() ? "-" : shown;
		}

	}

	@Command(name = "addons-add", description = "Provision a Redis database for an app.")
	static final class AddonsAdd implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Parameters(arity = "1..2", paramLabel = "[ADDON] PLAN",
				description = "the plan, e.g. redis-starter-1024, after the optional addon name redis as the platform's CLI takes it")
		List<String> words;

		@Override
		public Integer call() {
			if (this.words.size() == 2) {
				requireAddonName(this.words.get(0));
			}
			Map<String, Object> request = new LinkedHashMap<>();
			request.put("app", this.cli.requireApp());
			request.put("plan", this.words.get(this.words.size() - 1));
			CofferClient client = this.cli.client();
			CofferClient.Answer answer = client.send("/databases", "POST", request);
			if (answer.isMissingRoute() || answer.errorCode().equals("provisioning_unavailable")) {
				throw CliException.notOffered("provisioning", answer.message());
			}
			JsonNode database = client.require(answer);
			var out = this.cli.console.out();
			out.println("-----> Addon redis has been provisioned");
			out.println("       ID: " + database.path("id").asString());
			out.println("       Modified variables: " + variableList(database.path("env").propertyNames()));
			out.println("       REDIS_URL: " + database.path("env").path("REDIS_URL").asString(""));
			out.println("       Token: " + database.path("token").asString("") + " (shown once: keep it)");
			return 0;
		}

	}

	@Command(name = "addons-upgrade", description = "Move an app's database to another plan, up or down, and wait.")
	static final class AddonsUpgrade implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Parameters(index = "0", paramLabel = "DATABASE_ID", description = "the database's ID (see: coffer addons)")
		String databaseId;

		@Parameters(index = "1", paramLabel = "PLAN", description = "the new plan (see: coffer addons-plans)")
		String plan;

		@Option(names = "--no-wait", description = "return once the change is started")
		boolean noWait;

		@Override
		public Integer call() throws InterruptedException {
			JsonNode before = this.cli.database(this.databaseId);
			String own = before.path("id").asString();
			CofferClient client = this.cli.client();
			JsonNode started = client.requireOffered(
					client.send("/databases/" + own + "/plan", "POST", Map.of("plan", this.plan)), "plan changes");
			var out = this.cli.console.out();
			out.println("-----> Addon " + own + " is moving from " + before.path("plan").asString() + " to " + this.plan
					+ "; connections drop briefly");
			if (Jobs.follow(client, out, started.path("job").asLong(), started, this.noWait,
					(reason) -> "the plan of " + own + " was not changed: " + reason) == null) {
				return 0;
			}
			JsonNode after = client.get("/databases/" + own);
			// "upgraded" would be wrong for a move to a smaller plan
			out.println("-----> Addon " + own + " moved to plan " + after.path("plan").asString());
			List<String> modified = after.path("env").propertyNames().stream()
				.filter((name) -> !after.path("env").path(name).equals(before.path("env").path(name)))
				.sorted()
				.toList();
			if (!modified.isEmpty()) {
				out.println("       Modified variables: " + variableList(modified));
				out.println("       REDIS_URL: " + after.path("env").path("REDIS_URL").asString(""));
			}
			return 0;
		}

	}

	@Command(name = "addons-remove",
			description = "Delete an app's database, after a final backup that stays (coffer.retention.final).")
	static final class AddonsRemove implements Callable<Integer> {

		/** Longer than the service waits for a final backup (coffer.backup.final-timeout, 15 minutes by default). */
		private static final Duration FINAL_BACKUP_WAIT = Duration.ofMinutes(20);

		@ParentCommand
		CofferCli cli;

		@Parameters(index = "0", paramLabel = "DATABASE_ID", description = "the database's ID (see: coffer addons)")
		String databaseId;

		@Option(names = "--no-final-backup", description = "delete it without taking a last backup first")
		boolean noFinalBackup;

		@Override
		public Integer call() {
			JsonNode database = this.cli.database(this.databaseId);
			String own = database.path("id").asString();
			var out = this.cli.console.out();
			// the service backs up a running database only: one in error has no node to read
			if (!this.noFinalBackup && "running".equals(database.path("status").asString())) {
				out.println("-----> Taking a final backup of " + own + " before deleting it");
			}
			CofferClient client = this.cli.client();
			JsonNode deleted = client.require(client.send("/databases/" + own + "?final_backup=" + !this.noFinalBackup,
					"DELETE", null, FINAL_BACKUP_WAIT));
			JsonNode finalBackup = deleted.path("final_backup");
			if (finalBackup.isString()) {
				out.println("-----> Final backup " + finalBackup.asString() + " done: it is kept after the deletion");
			}
			out.println("-----> Addon " + own + " has been deleted");
			return 0;
		}

	}

	private static void requireAddonName(String word) {
		if (word != null && !CofferCli.isAddonName(word)) {
			throw new CliException("there is no addon " + word + " here: Coffer offers " + CofferCli.ADDON_NAME);
		}
	}

	/** Variable names as the platform's CLI prints them: sorted, separated by spaces, in brackets. */
	static String variableList(Collection<String> names) {
		return "[" + String.join(" ", names.stream().sorted().toList()) + "]";
	}

	@Command(name = "env", description = "Print the connection variables of an app's database.")
	static final class Env implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Override
		public Integer call() {
			JsonNode env = this.cli.database().path("env");
			for (Map.Entry<String, JsonNode> variable : env.properties()) {
				this.cli.console.out().println(variable.getKey() + "=" + variable.getValue().asString());
			}
			return 0;
		}

	}

}
