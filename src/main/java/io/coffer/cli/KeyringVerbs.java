package io.coffer.cli;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

/** The keyring's keys (operator token): list them, rotate, retire an old one. */
@Command(name = "keyring", description = "List the keyring's keys and what still uses each (operator token); "
		+ "rotate adds a key, retire removes an old one.",
		subcommands = { KeyringVerbs.Rotate.class, KeyringVerbs.Retire.class })
final class KeyringVerbs implements Callable<Integer> {

	@ParentCommand
	CofferCli cli;

	@Override
	public Integer call() {
		print(this.cli.client().get("/keyring"), this.cli.console.out());
		return 0;
	}

	static void print(JsonNode keyring, PrintStream out) {
		AsciiTable table = new AsciiTable("Key", "Current", "Backups", "Secrets");
		for (JsonNode key : keyring.path("keys")) {
			table.row(key.path("id").asString(), key.path("current").asBoolean() ? "yes" : "",
					String.valueOf(key.path("backups").asLong()), String.valueOf(key.path("secrets").asLong()));
		}
		out.print(table.render());
	}

	@Command(name = "rotate", description = "Add a key that new backups use from now on, on every instance, and "
			+ "re-wrap every stored backup with it (rewrapKeysJob).")
	static final class Rotate implements Callable<Integer> {

		@ParentCommand
		KeyringVerbs keyring;

		@Option(names = "--no-wait", description = "return once the re-wrap is started")
		boolean noWait;

		@Override
		public Integer call() throws InterruptedException {
			CofferClient client = this.keyring.cli.client();
			PrintStream out = this.keyring.cli.console.out();
			JsonNode rotated = client.require(client.send("/keyring/rotate", "POST", null));
			out.println("-----> New backups use key " + rotated.path("key_id").asString());
			JsonNode rewrap = rotated.path("rewrap");
			long execution = rewrap.path("execution").asLong();
			out.println("       Re-wrapping the stored backups: rewrapKeysJob, execution " + execution);
			JsonNode job = Jobs.follow(client, out, execution, rewrap, this.noWait, (reason) -> "the re-wrap did not "
					+ "complete: " + reason + "; run it again with POST /api/v1/jobs/rewrapKeysJob, old keys stay until then");
			if (job == null) {
				return 0;
			}
			out.println("-----> " + job.path("exit_description").asString());
			print(client.get("/keyring"), out);
			out.println("       Retire an old key once it wraps nothing: coffer keyring retire <key-id>");
			return 0;
		}

	}

	@Command(name = "retire", description = "Remove an old key from the keyring, once no backup nor secret uses it.")
	static final class Retire implements Callable<Integer> {

		@ParentCommand
		KeyringVerbs keyring;

		@Parameters(paramLabel = "KEY-ID", description = "the key to remove")
		String keyId;

		@Override
		public Integer call() {
			CofferClient client = this.keyring.cli.client();
			JsonNode left = client.require(client.send("/keyring/keys/" + URLEncoder.encode(this.keyId,
					StandardCharsets.UTF_8), "DELETE", null));
			PrintStream out = this.keyring.cli.console.out();
			out.println("-----> Key " + this.keyId + " retired: the keyring holds the keys below. Back up the "
					+ "keyring file again.");
			print(left, out);
			return 0;
		}

	}

}
