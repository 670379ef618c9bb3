package io.coffer.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/run} hands REDIS_URL to Coffer in the environment: the command line of the JVM it
 * starts, which {@code ps} shows every user of the machine, holds no password. The script runs for
 * real, over a copy of the project whose jar is up to date, with a {@code java} that records what it
 * was given.
 */
class RunScriptTest {

	private static final String REDIS_URL = "redis://default:s3cret-password@127.0.0.1:6390";

	@Test
	void theJvmsCommandLineHoldsNoPasswordAndTheUrlReachesCofferThroughTheEnvironment(@TempDir Path project)
			throws Exception {
		Files.createDirectories(project.resolve("scripts"));
		Files.copy(Path.of("scripts", "run"), project.resolve("scripts").resolve("run"), StandardCopyOption.COPY_ATTRIBUTES);
		Files.writeString(project.resolve("pom.xml"), "<project/>\n");
		Files.setLastModifiedTime(project.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
		Files.createDirectories(project.resolve("target"));
		Files.writeString(project.resolve("target").resolve("coffer.jar"), "");
		Path bin = Files.createDirectories(project.resolve("bin"));
		Path java = bin.resolve("java");
		Files.writeString(java, """
				#!/bin/sh
				printf '%s\\n' "$0" "$@" > "$RECORD_DIR/command-line"
				printf '%s' "$COFFER_BOOTSTRAP_REDIS_URL" > "$RECORD_DIR/environment"
				""");
		Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));

		ProcessBuilder run = new ProcessBuilder(project.resolve("scripts").resolve("run").toString(), "--server.port=0")
			.redirectErrorStream(true)
			.redirectOutput(project.resolve("output").toFile());
		Map<String, String> environment = run.environment();
		environment.put("PATH", bin + ":" + environment.get("PATH"));
		environment.put("REDIS_URL", REDIS_URL);
		environment.put("JAVA_OPTS", "-Xmx64m");
		environment.put("RECORD_DIR", project.toString());
		environment.remove("COFFER_ADMIN_TOKEN");
		Process process = run.start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(Files.readString(project.resolve("output"))).isZero();

		List<String> commandLine = Files.readAllLines(project.resolve("command-line"));
		assertThat(commandLine).contains("-jar", "target/coffer.jar", "--server.port=0");
		assertThat(String.join(" ", commandLine)).doesNotContain("s3cret-password").doesNotContain("redis://");
		assertThat(Files.readString(project.resolve("environment"))).isEqualTo(REDIS_URL);
	}

	@Test
	void theEnvironmentVariableTheScriptSetsIsTheSettingCofferReads() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
				new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						Map.of("COFFER_BOOTSTRAP_REDIS_URL", REDIS_URL)));
		ConfigurationPropertySources.attach(environment);

		assertThat(environment.getProperty("coffer.bootstrap.redis-url")).isEqualTo(REDIS_URL);
	}

}
