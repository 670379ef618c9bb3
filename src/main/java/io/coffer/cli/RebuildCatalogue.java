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
 * The operator's disaster recovery: asks the service to give an empty catalogue its whole state back from
 * the newest catalogue snapshot in the bucket, and to put back the rows of the backups whose objects are in
 * the bucket but not in the catalogue; prints what it did and what it left out, with why.
 */
@Command(name = "rebuild-catalogue",
		description = "Rebuild a lost catalogue from the bucket: its newest snapshot if the catalogue is empty, then"
				+ " the backups' objects no row names (operator token).")
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
		for (JsonNode refused : report.path("refused_snapshots")) {
			out.println("       snapshot " + refused.path("object_key").asString() + " refused: "
					+ refused.path("reason").asString());
		}
		JsonNode snapshot = report.path("snapshot");
		if (snapshot.isObject()) {
			JsonNode rows = snapshot.path("rows");
			out.println("-----> Catalogue restored from " + snapshot.path("object_key").asString() + " (written "
					+ snapshot.path("written_at").asString() + "): " + rows.path("databases").asLong() + " databases, "
					+ rows.path("backups").asLong() + " backups, " + rows.path("tokens").asLong()
					+ " database tokens (they work as before)");
			for (JsonNode id : snapshot.path("backups_in_flight")) {
				out.println("       backup " + id.asString() + " was running then: it comes back from its object if it finished");
			}
			for (JsonNode id : snapshot.path("backups_without_object")) {
				out.println("       backup " + id.asString() + " left out: its object is no longer in the bucket");
			}
			if (!snapshot.path("segments_without_object").isEmpty()) {
				out.println("       " + snapshot.path("segments_without_object").size()
						+ " archived point-in-time segments left out: their objects are no longer in the bucket");
			}
		}
		else if (!report.path("refused_snapshots").isEmpty()) {
			out.println("-----> No catalogue snapshot could be read back");
		}
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

	/** The catalogue's snapshots in the bucket, and writing one now. */
	@Command(name = "catalogue-snapshots",
			description = "List the catalogue's snapshots in the bucket, or write one now with --now (operator token).")
	static final class Snapshots implements Callable<Integer> {

		@ParentCommand
		CofferCli cli;

		@Option(names = "--now", description = "write a snapshot now, changes or not")
		boolean now;

		@Override
		public Integer call() {
			CofferClient client = this.cli.client();
			PrintStream out = this.cli.console.out();
			if (this.now) {
				JsonNode written = client.require(client.send("/admin/catalogue/snapshots", "POST", null));
				out.println("-----> Snapshot " + written.path("object_key").asString() + " written: "
						+ written.path("rows").path("databases").asLong() + " databases, "
						+ written.path("rows").path("backups").asLong() + " backups");
				return 0;
			}
			JsonNode listed = client.require(client.send("/admin/catalogue/snapshots", "GET", null));
			for (JsonNode snapshot : listed.path("snapshots")) {
				out.println(snapshot.path("object_key").asString() + "  " + snapshot.path("size").asLong() + " bytes");
			}
			out.println("-----> " + listed.path("snapshots").size() + " snapshots; "
					+ (listed.path("changes_pending").asBoolean() ? "changes are waiting for the next one"
							: "the newest holds every change"));
			return 0;
		}

	}

}
