package io.coffer.cli;

import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/**
 * {@code coffer stats}: the database's container stats, drawn as the Scalingo CLI draws its own
 * ({@code scalingo stats}): CPU usage now, memory and swap current against their limit, and their highest.
 */
@Command(name = "stats", description = "Show the CPU, memory and swap the database's primary uses.")
final class StatsVerb implements Callable<Integer> {

	@ParentCommand
	CofferCli cli;

	@Override
	public Integer call() {
		String id = this.cli.database().path("id").asString();
		JsonNode stats = this.cli.client().get("/databases/" + id + "/stats");
		JsonNode container = stats.path("container");
		JsonNode memory = container.path("memory");
		JsonNode swap = container.path("swap");
		JsonNode cpu = container.path("cpu_percent");
		String node = stats.path("node").path("role").asString() + " " + stats.path("node").path("host").asString() + ":"
				+ stats.path("node").path("port").asInt();
		AsciiTable table = new AsciiTable("Node", "CPU", "Memory", "Swap")
			.row(node, cpu.isNumber() ? String.format(Locale.ROOT, "%.1f%%", cpu.asDouble()) : "not measured yet",
					usage(memory), usage(swap))
			.row("", "", highest(memory), highest(swap));
		this.cli.console.out().print(table.render());
		if (!"process".equals(container.path("source").asString())) {
			this.cli.console.out().println("Coffer does not run this node: memory is what Redis reports, swap is not known.");
		}
		return 0;
	}

	/** {@code 3% 7.20 MiB/256.00 MiB}: current against current plus free, as the platform shows it. */
	private static String usage(JsonNode figure) {
		if (!figure.path("current").isNumber()) {
			return "not known";
		}
		long current = figure.path("current").asLong();
		if (!figure.path("free").isNumber()) {
			return Sizes.binary(current);
		}
		long limit = current + figure.path("free").asLong();
		long percent = (limit > 0) ? Math.round(100.0 * current / limit) : 0;
		return percent + "% " + Sizes.binary(current) + "/" + Sizes.binary(limit);
	}

	private static String highest(JsonNode figure) {
		return figure.path("highest").isNumber() ? "Highest: " + Sizes.binary(figure.path("highest").asLong()) : "";
	}

}
