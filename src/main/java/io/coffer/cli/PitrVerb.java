package io.coffer.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** {@code coffer --app my-app pitr enable|disable|status}: point-in-time recovery and its recoverable window. */
@Command(name = "pitr", description = "Turn point-in-time recovery on or off, or show its recoverable window.")
final class PitrVerb implements Callable<Integer> {

	@ParentCommand
	CofferCli cli;

	@Parameters(index = "0", paramLabel = "enable|disable|status", defaultValue = "status",
			description = "enable, disable, or status (the default)")
	String action;

	@Override
	public Integer call() {
		String path = "/databases/" + this.cli.databaseId() + "/pitr";
		CofferClient client = this.cli.client();
		JsonNode status = switch (this.action) {
			case "enable" -> client.require(client.send(path, "PUT", Map.of("enabled", true)));
			case "disable" -> client.require(client.send(path, "PUT", Map.of("enabled", false)));
			case "status" -> client.get(path);
			default -> throw new CliException("pitr takes enable, disable or status, not \"" + this.action + "\"");
		};
		PrintStream out = this.cli.console.out();
		if (!status.path("enabled").asBoolean()) {
			out.println("-----> Point-in-time recovery is off");
			return 0;
		}
		out.println("-----> Point-in-time recovery is on");
		if (status.path("recoverable_to").isString()) {
			out.println("       Recoverable from " + Dates.format(status.path("recoverable_from").asString()) + " to "
					+ Dates.format(status.path("recoverable_to").asString()));
		}
		else {
			out.println("       Nothing archived yet: the first segment is uploaded within a minute");
		}
		if (status.path("state").asString("").equals("waiting_for_full_sync")) {
			out.println("       Waiting for its turn at a full synchronisation");
		}
		if (status.path("lag_ms").isNumber()) {
			out.println("       Lag: " + status.path("lag_ms").asLong() + " ms");
		}
		if (status.path("upload_lag_ms").isNumber()) {
			out.println("       Not yet in object storage since: " + status.path("upload_lag_ms").asLong() + " ms");
		}
		if (!status.path("last_error").asString("").isEmpty()) {
			out.println("       Last error: " + status.path("last_error").asString());
		}
		if (!status.path("gaps").isEmpty()) {
			AsciiTable gaps = new AsciiTable("From", "To", "Why");
			for (JsonNode gap : status.path("gaps")) {
				gaps.row(Dates.format(gap.path("from").asString()), Dates.format(gap.path("to").asString()),
						gap.path("why").asString());
			}
			out.print(gaps.render());
		}
		return 0;
	}

}
