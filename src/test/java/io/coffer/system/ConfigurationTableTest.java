package io.coffer.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's settings table is the one {@code scripts/config-table} makes from the configuration
 * metadata: a setting added, renamed, given another default or described otherwise in its record
 * fails here until the table is regenerated.
 */
class ConfigurationTableTest {

	@Test
	void theReadmeTableIsTheOneMadeFromTheMetadata() throws IOException, InterruptedException {
		Process script = new ProcessBuilder("scripts/config-table", "--print", "--no-compile")
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		String generated = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(script.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(script.exitValue()).isZero();

		String readme = Files.readString(Path.of("README.md"));
		int start = readme.indexOf("| variable | default | what |\n");
		assertThat(start).as("the settings table of README.md").isNotNegative();
		String table = readme.substring(start, readme.indexOf("\n\n", start) + 1);
		assertThat(table).as("README.md's settings table; run scripts/config-table to regenerate it")
			.isEqualTo(generated);
	}

}
