package io.coffer.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import io.coffer.CofferApplication;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service with nothing configured but its data folder: an embedded PostgreSQL and an in-process
 * S3 server come up under it, a backup goes all the way through them, and everything is still there
 * after a restart.
 */
class EmbeddedDefaultsTest {

	@Test
	void startsOnEmbeddedPartsBacksUpAndKeepsItsStateAcrossRestarts(@TempDir Path data) throws Exception {
		String databaseId;
		String backupId;
		String token;
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword("embedded");
				ConfigurableApplicationContext service = start(data)) {
			assertThat(data.resolve("postgres")).isDirectory();
			assertThat(data.resolve("keyring")).isRegularFile();
			token = Files.readString(data.resolve("admin-token")).trim();
			// the secrets of the embedded default are its user's alone
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("admin-token"))))
				.isEqualTo("rw-------");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("keyring"))))
				.isEqualTo("rw-------");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("postgres"))))
				.isEqualTo("rwx------");
			ApiClient operator = new ApiClient(port(service), token);
			assertThat(operator.get("/actuator/health").text("status")).isEqualTo("UP");

			ApiClient.Response created = operator.post("/api/v1/databases", """
					{"app": "embedded", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}], "password": "embedded"}}"""
				.formatted(redis.port()));
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			databaseId = created.text("id");
			backupId = operator.post("/api/v1/databases/" + databaseId + "/backups").text("id");
			await().atMost(Duration.ofSeconds(60))
				.until(() -> operator.get("/api/v1/databases/" + databaseId + "/backups/" + backupId).text("status"),
						"done"::equals);
			assertThat(data.resolve("objects")).isDirectoryRecursivelyContaining("glob:**/*.tar.gz.enc");
		}

		try (ConfigurableApplicationContext restarted = start(data)) {
			ApiClient operator = new ApiClient(port(restarted), token);
			ApiClient.Response backup = operator.get("/api/v1/databases/" + databaseId + "/backups/" + backupId);
			assertThat(backup.text("status")).isEqualTo("done");
		}
	}

	private static ConfigurableApplicationContext start(Path data) {
		return new SpringApplicationBuilder(CofferApplication.class)
			.run("--coffer.data-dir=" + data, "--server.port=0", "--coffer.database.url=", "--coffer.s3.endpoint=",
					"--coffer.keyring=", "--coffer.security.admin-token=");
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
