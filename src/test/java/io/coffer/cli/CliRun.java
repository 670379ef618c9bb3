package io.coffer.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code coffer} in this JVM, as a user would from a shell, and keeps what it printed. */
final class CliRun {

	private final Map<String, String> env = new HashMap<>();

	private Path workingDirectory = Path.of("").toAbsolutePath();

	private InputStream in = new ByteArrayInputStream(new byte[0]);

	CliRun env(String name, String value) {
		this.env.put(name, value);
		return this;
	}

	CliRun in(Path workingDirectory) {
		this.workingDirectory = workingDirectory;
		return this;
	}

	CliRun stdin(InputStream in) {
		this.in = in;
		return this;
	}

	Result run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		CofferCli.Console console = new CofferCli.Console(new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8), this.in, Map.copyOf(this.env),
				this.workingDirectory, ZoneId.of("UTC"), Clock.systemUTC());
		int exitCode = CofferCli.commandLine(console).execute(args);
		return new Result(exitCode, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
	}

	record Result(int exitCode, byte[] stdoutBytes, String stderr) {

		String stdout() {
			return new String(this.stdoutBytes, StandardCharsets.UTF_8);
		}

		@Override
		public String toString() {
			return "exit " + this.exitCode + "\n--- stdout\n" + stdout() + "\n--- stderr\n" + this.stderr;
		}

	}

}
