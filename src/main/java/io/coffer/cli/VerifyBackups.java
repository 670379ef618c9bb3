package io.coffer.cli;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/**
 * The operator's verification of the retained backups now ({@code verifyBackupsJob}): of every database
 * as one of the job's hourly runs, or every backup of one database. Exit code 1 when a backup was found damaged.
 */
@Command(name = "verify", description = "Read retained backups back whole and flag the damaged ones "
		+ "(verifyBackupsJob; operator token).")
final class VerifyBackups implements Callable<Integer> {

	/** The job's exit code when it found a damaged backup (the job itself completed). */
	static final String DAMAGED_FOUND = "DAMAGED_FOUND";

	@ParentCommand
	CofferCli cli;

	@Option(names = "--database", paramLabel = "ID", description = "every backup of this database, whatever the "
			+ "budget")
	String database;

	@Option(names = "--no-wait", description = "return once the verification is started")
	boolean noWait;

	@Override
	public Integer call() throws InterruptedException {
		CofferClient client = this.cli.client();
		PrintStream out = this.cli.console.out();
		String path = "/jobs/verifyBackupsJob" + ((this.database != null && !this.database.isBlank())
				? "?database=" + URLEncoder.encode(this.database, StandardCharsets.UTF_8) : "");
		JsonNode started = client.require(client.send(path, "POST", null));
		long execution = started.path("execution").asLong();
		out.println("-----> Verifying " + ((this.database != null) ? "the backups of " + this.database
				: "the retained backups") + ": verifyBackupsJob, execution " + execution);
		JsonNode job = Jobs.follow(client, out, execution, started, this.noWait,
				(reason) -> "the verification did not complete: " + reason);
		if (job == null) {
			return 0;
		}
		out.println("-----> " + job.path("exit_description").asString());
		return DAMAGED_FOUND.equals(job.path("exit_code").asString()) ? 1 : 0;
	}

}
