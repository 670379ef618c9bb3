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
 * The operator's disaster recovery: asks the service to put back the rows of the backups whose objects
 * are in the bucket but not in the catalogue, and prints what it did and what it left out, with why.
 */
@Command(name = "rebuild-catalogue",
		description = "Rebuild lost backup rows from the objects in the bucket (operator token).")
final class RebuildCatalogue implements Callable<Integer> {

	@ParentCommand
	CofferCli cli;

	@Option(names = "--database", paramLabel = "ID", description = "only the objects of this database's folder")
	String database;

	@Override
	public Integer call() {
		CofferClient client = this.cli.client();
		String path = "/admin/catalogue/rebuild" + ((this.database != null && !this.database.isBlank())
				? "?database=" + URLEncoder.encode(this.database, StandardCharsets.UTF_8) : "");
		JsonNode report = client.require(client.send(path, "POST", null));
		PrintStream out = this.cli.console.out();
		out.println("-----> " + report.path("objects").asInt() + " objects in the bucket, "
				+ report.path("already_catalogued").asInt() + " already in the catalogue");
		for (JsonNode rebuilt : report.path("rebuilt")) {
			out.println("       rebuilt backup " + rebuilt.path("backup_id").asString() + " of "
					+ rebuilt.path("database_id").asString() + " (" + rebuilt.path("object_key").asString() + ")");
		}
		for (JsonNode skipped : report.path("skipped")) {
			out.println("       skipped " + skipped.path("object_key").asString() + ": "
					+ skipped.path("reason").asString());
		}
		out.println("-----> " + report.path("rebuilt").size() + " rebuilt, " + report.path("skipped").size()
				+ " skipped");
		return report.path("skipped").isEmpty() ? 0 : 1;
	}

}
