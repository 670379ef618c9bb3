package io.coffer.system;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.ProvisionedDatabases;
import io.coffer.testsupport.TestDockerEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docker-compose.yml's docker driver service really run: {@code scripts/images} builds coffer/coffer from
 * this machine's JDK and coffer.jar, Debian's docker-compose starts the service on the tests' engine (its socket
 * mounted, host network), and the Coffer in that container answers its health check and provisions a starter
 * database whose node runs in a container of the same engine. Skipped, saying why, only when no engine answers.
 */
class DockerComposeRunTest {

	private static final String TOKEN = "compose-run-operator-token";

	// the embedded PostgreSQL refuses to run as root: the service runs as this user, owner of its data folder
	private static final int UNPRIVILEGED = 1000;

	private final String project = "coffer-compose-test-" + Long.toString(System.nanoTime(), 36);

	private Path dataDir;

	private Map<String, String> environment;

	@BeforeEach
	void engineAnswers() throws IOException {
		TestDockerEngine.assumeAnswers();
		URI engine = URI.create(TestDockerEngine.HOST);
		if (!"unix".equals(engine.getScheme())) {
			System.err.println("SKIPPED: docker-compose's service mounts the engine's Unix socket; the tests' engine is "
					+ TestDockerEngine.HOST);
		}
		Assumptions.assumeTrue("unix".equals(engine.getScheme()), "the tests' engine is not a Unix socket");
		Path socket = Path.of(engine.getPath());
		this.dataDir = Files.createTempDirectory("coffer-compose-data");
		int owner = (int) Files.getAttribute(this.dataDir, "unix:uid");
		int user = (owner == 0) ? UNPRIVILEGED : owner;
		Files.setAttribute(this.dataDir, "unix:uid", user);
		Files.setAttribute(this.dataDir, "unix:gid", user);
		this.environment = new HashMap<>(Map.of("DOCKER_HOST", TestDockerEngine.HOST, "DOCKER_SOCKET",
				socket.toString(), "DOCKER_GID", String.valueOf(Files.getAttribute(socket, "unix:gid")),
				"COFFER_UID", String.valueOf(user), "COFFER_GID", String.valueOf(user), "COFFER_DATA_DIR",
				this.dataDir.toString(), "COFFER_PORT", String.valueOf(freePort()), "COFFER_ADMIN_TOKEN", TOKEN));
	}

	@AfterEach
	void down() throws Exception {
		if (this.environment != null) {
			run(Duration.ofSeconds(60), "docker-compose", "-p", this.project, "--profile", "docker-driver", "down", "-v");
		}
		if (this.dataDir != null) {
			try (Stream<Path> files = Files.walk(this.dataDir)) {
				files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
			}
		}
	}

	@Test
	void theComposeServiceRunsCofferInAContainerThatProvisionsADatabaseOnTheSameEngine() throws Exception {
		assertThat(run(Duration.ofSeconds(300), "scripts/images")).as("scripts/images").isZero();
		assertThat(run(Duration.ofSeconds(60), "docker-compose", "-p", this.project, "--profile", "docker-driver", "up",
				"-d", "--no-build", "coffer-docker-driver"))
			.as("docker-compose up (Debian's docker-compose; scripts/test installs it)")
			.isZero();

		int port = Integer.parseInt(this.environment.get("COFFER_PORT"));
		ApiClient operator = new ApiClient(port, TOKEN);
		// its start, on two busy cores, takes about a minute: most of it the embedded PostgreSQL's first initdb
		await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
			.until(() -> operator.get("/actuator/health").text("status"), "UP"::equals);

		ApiClient.Response created = operator.post("/api/v1/databases",
				"{\"app\": \"compose-app\", \"plan\": \"redis-starter-256\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = created.text("id");
		JsonNode database = ProvisionedDatabases.awaitRunning(operator, id);
		URI url = URI.create(database.path("env").path("REDIS_URL").asString());
		try (Jedis jedis = ProvisionedDatabases.connect(url.getHost(), url.getPort(), id,
				url.getUserInfo().substring(id.length() + 1))) {
			jedis.set("through", "compose");
			assertThat(jedis.get("through")).isEqualTo("compose");
		}
		assertThat(containerNames()).anyMatch((name) -> name.contains(id));

		ApiClient.Response deleted = operator.delete("/api/v1/databases/" + id + "?final_backup=false");
		assertThat(deleted.status()).as(deleted.body()).isLessThan(300);
		await().atMost(Duration.ofSeconds(60)).until(() -> containerNames().noneMatch((name) -> name.contains(id)));
	}

	private Stream<String> containerNames() throws IOException, InterruptedException {
		Path names = Files.createTempFile("coffer-compose-containers", ".txt");
		try {
			ProcessBuilder builder = command("docker", "ps", "-a", "--format", "{{.Names}}");
			builder.redirectOutput(names.toFile());
			Process process = builder.start();
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
			return Files.readAllLines(names, StandardCharsets.UTF_8).stream();
		}
		finally {
			Files.deleteIfExists(names);
		}
	}

	private int run(Duration timeout, String... command) throws IOException, InterruptedException {
		ProcessBuilder builder = command(command);
		builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT);
		Process process = builder.start();
		if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError(String.join(" ", command) + " did not end within " + timeout);
		}
		return process.exitValue();
	}

	private ProcessBuilder command(String... command) {
		List<String> words = new ArrayList<>(List.of(command));
		ProcessBuilder builder = new ProcessBuilder(words);
		builder.environment().putAll(this.environment);
		return builder;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
