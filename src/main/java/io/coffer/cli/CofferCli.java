package io.coffer.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code coffer}: the command-line client of Coffer's HTTP API. It starts without the service's
 * application context (no Spring here), so it answers in about a second.
 */
@Command(name = "coffer", mixinStandardHelpOptions = true, version = "coffer 0.1",
		description = "Backups and restores of your Redis databases, from the command line.",
		subcommands = { AddonVerbs.Plans.class, AddonVerbs.Addons.class, AddonVerbs.AddonsAdd.class,
				AddonVerbs.AddonsUpgrade.class, AddonVerbs.AddonsRemove.class, AddonVerbs.Env.class, BackupVerbs.Backups.class,
				BackupVerbs.BackupsCreate.class, BackupsDownload.class, BackupVerbs.BackupsConfig.class,
				SettingVerbs.Restore.class, SettingVerbs.Config.class, SettingVerbs.CaCertificate.class,
				EngineVerbs.DatabaseUpgrade.class, Decrypt.class, RebuildCatalogue.class,
				RebuildCatalogue.Snapshots.class,
				KeyringVerbs.class, VerifyBackups.class, StatsVerb.class, PitrVerb.class })
public final class CofferCli implements Runnable {

	static final String DEFAULT_URL = "http://localhost:8080";

	static final String ADDON_NAME = "redis";

	@Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
			description = "Coffer's address (default: $COFFER_URL, else " + DEFAULT_URL + ")")
	String url;

	@Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
			description = "API token (default: $COFFER_TOKEN)")
	String token;

	@Option(names = { "-a", "--app" }, scope = ScopeType.INHERIT, paramLabel = "NAME",
			description = "the app whose database to act on")
	String app;

	// the platform's CLI takes the addon of the app in every example of its reference
	// (`--app my-app --addon redis backups`): accepted so that the same line works here
	@Option(names = "--addon", scope = ScopeType.INHERIT, paramLabel = "ADDON",
			description = "the app's database: redis, or its ID (see: coffer addons)")
	String addon;

	@Spec
	CommandSpec spec;

	final Console console;

	private CofferClient client;

	public CofferCli(Console console) {
		this.console = console;
	}

	public static void main(String[] args) {
		System.exit(commandLine(Console.system()).execute(args));
	}

	/** The command line, ready to {@code execute(args)}: it returns the exit code and never exits. */
	public static CommandLine commandLine(Console console) {
		CommandLine commandLine = new CommandLine(new CofferCli(console));
		commandLine.setOut(new PrintWriter(console.out(), true));
		commandLine.setErr(new PrintWriter(console.err(), true));
		commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
			String message = (ex instanceof CliException) ? ex.getMessage() : describe(ex);
			console.err().println("coffer: " + message);
			return 1;
		});
		return commandLine;
	}

	@Override
	public void run() {
		this.spec.commandLine().usage(this.console.out());
	}

	CofferClient client() {
		if (this.client == null) {
			String base = firstOf(this.url, this.console.env().get("COFFER_URL"), DEFAULT_URL);
			this.client = new CofferClient(base, firstOf(this.token, this.console.env().get("COFFER_TOKEN"), null));
		}
		return this.client;
	}

	String requireApp() {
		if (this.app == null || this.app.isBlank()) {
			throw new CliException("which app? pass --app NAME");
		}
		return this.app;
	}

	/** The database of {@code --app}, as the service lists it. */
	JsonNode database() {
		String name = requireApp();
		for (JsonNode database : client().get("/databases")) {
			if (name.equals(database.path("app").asString())) {
				requireAddonIs(database.path("id").asString());
				return database;
			}
		}
		throw new CliException("no database for app " + name);
	}

	/** {@code --addon} names the app's one database: by the platform's addon name, or by its ID. */
	private void requireAddonIs(String databaseId) {
		if (this.addon != null && !isAddonName(this.addon) && !this.addon.equals(databaseId)) {
			throw new CliException("app " + this.app + " has no addon " + this.addon + ": its database is "
					+ databaseId + " (pass --addon redis or --addon " + databaseId + ")");
		}
	}

	/** The addon name the platform uses for a Redis database, as in {@code addons-add redis PLAN}. */
	static boolean isAddonName(String word) {
		return ADDON_NAME.equals(word);
	}

	/**
	 * The database of {@code --app}, which {@code databaseId} must name: a verb that moves or deletes a database
	 * takes its ID as well, so that a wrong {@code --app} cannot touch another one.
	 */
	JsonNode database(String databaseId) {
		JsonNode database = database();
		String own = database.path("id").asString();
		if (!own.equals(databaseId)) {
			throw new CliException("database " + databaseId + " is not the one of app " + this.app + " (that is " + own
					+ ")");
		}
		return database;
	}

	String databaseId() {
		return database().path("id").asString();
	}

	private static String firstOf(String option, String environment, String fallback) {
		if (option != null && !option.isBlank()) {
			return option;
		}
		return (environment != null && !environment.isBlank()) ? environment : fallback;
	}

	private static String describe(Exception ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

	/** Where a run reads and writes: the process's own streams, or a test's. */
	public record Console(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
			Path workingDirectory, ZoneId zone, Clock clock) {

		static Console system() {
			return new Console(System.out, System.err, System.in, System.getenv(), Path.of("").toAbsolutePath(),
					ZoneId.systemDefault(), Clock.systemUTC());
		}

	}

}
