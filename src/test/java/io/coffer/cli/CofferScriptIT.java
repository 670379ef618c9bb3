package io.coffer.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.coffer.testsupport.FreePorts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/coffer} as a user runs it: a process on the packaged jar. An integration test (run
 * by failsafe after {@code mvn package}), since the jar does not exist while the unit tests run.
 */
class CofferScriptIT {

	private static final Path SCRIPT = Path.of("scripts", "coffer");

	@Test
	void helpListsTheVerbsWithoutStartingTheService() throws Exception {
		Finished finished = run("--help");

		assertThat(finished.exitCode()).as(finished.output()).isZero();
		assertThat(finished.output()).contains("backups-download", "backups-create", "decrypt", "addons-plans")
			.doesNotContain("Spring");
	}

	@Test
	void aServiceThatIsNotThereIsNamedWithExitCodeOne() throws Exception {
		String url = "http://127.0.0.1:" + FreePorts.next();

		Finished finished = run("--url", url, "--app", "my-app", "backups");

		assertThat(finished.exitCode()).isEqualTo(1);
		assertThat(finished.output().strip()).endsWith("coffer: cannot reach Coffer at " + url + ": connection refused");
	}

	private static Finished run(String... args) throws IOException, InterruptedException {
		List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		process.getOutputStream().close();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).isTrue();
		return new Finished(process.exitValue(), output);
	}

	private record Finished(int exitCode, String output) {
	}

}
