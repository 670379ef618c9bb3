package io.coffer.cli;

import java.io.PrintStream;
import java.util.function.UnaryOperator;

import tools.jackson.databind.JsonNode;

/**
 * A Spring Batch job a verb asked the service to start (a plan change, a configuration change, an engine
 * upgrade, a re-wrap of the keyring), followed the same way by each: to its end, or not at all with
 * {@code --no-wait}.
 */
final class Jobs {

	private Jobs() {
	}

	/**
	 * Waits until the job ends and returns its last state once it completed. With {@code noWait} it only says
	 * where to follow it and returns {@code null}. A job that ended otherwise is told as
	 * {@code failure.apply(reason)}.
	 */
	static JsonNode follow(CofferClient client, PrintStream out, long execution, JsonNode started, boolean noWait,
			UnaryOperator<String> failure) throws InterruptedException {
		if (noWait) {
			out.println("       Follow it with: GET /api/v1/jobs/" + execution);
			return null;
		}
		JsonNode job = client.awaitJob(execution, started);
		if (!"completed".equals(job.path("status").asString())) {
			throw new CliException(failure.apply(reason(job)));
		}
		return job;
	}

	/** The first line of the job's exit description, without the exception's class name. */
	static String reason(JsonNode job) {
		String description = job.path("exit_description").asString("");
		String first = description.lines().findFirst().orElse("").replaceFirst("^[\\w.$]+(Exception|Error): ", "");
		return first.isBlank() ? "the job ended " + job.path("status").asString() : first;
	}

}
