package io.coffer.provision;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.coffer.CofferApplication;
import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The process driver's nodes across the life of Coffer itself: found again (not started twice) by a
 * new instance on the same data folder and catalogue, restarted after a crash, and removed when a
 * provisioning fails half-way.
 */
class ProvisionedNodesLifecycleTest {

	@TempDir
	Path data;

	@Test
	void aRestartedCofferAdoptsItsRunningNodesAndRestartsACrashedOne() throws Exception {
		String id;
		URI uri;
		String password;
		long pid;
		try (ConfigurableApplicationContext first = start(this.data)) {
			ApiClient operator = operator(first);
			ApiClient.Response created = operator.post("/api/v1/databases",
					"{\"app\": \"restart-app\", \"plan\": \"redis-starter-512\"}");
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			id = created.text("id");
			awaitStatus(operator, id, "running");
			uri = URI.create(created.json().path("env").path("REDIS_URL").asString());
			password = uri.getUserInfo().substring(id.length() + 1);
			pid = pidOf(uri, password);
			try (Jedis jedis = ProvisioningTest.connect(uri, id, password)) {
				jedis.set("kept", "across restarts");
			}
		}
		// Coffer is gone; its nodes are not
		assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isPresent();

		try (ConfigurableApplicationContext second = start(this.data)) {
			ApiClient operator = operator(second);
			JsonNode database = operator.get("/api/v1/databases/" + id).json();
			assertThat(database.path("status").asString()).isEqualTo("running");
			assertThat(database.path("env").path("REDIS_URL").asString()).isEqualTo(uri.toString());
			// several supervision rounds pass without the node being started again
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> pidOf(uri, password) == pid);
			assertThat(redisProcessesOn(uri.getPort())).containsExactly(pid);

			ProcessHandle.of(pid).orElseThrow().destroyForcibly();
			long restarted = await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(100))
				.ignoreExceptions()
				.until(() -> pidOf(uri, password), (newPid) -> newPid != pid);
			assertThat(redisProcessesOn(uri.getPort())).containsExactly(restarted);

			assertThat(operator.delete("/api/v1/databases/" + id).status()).isEqualTo(200);
			assertThat(ProcessHandle.of(restarted).filter(ProcessHandle::isAlive)).isEmpty();
			assertThat(ProvisioningTest.isFree(uri.getPort())).isTrue();
			assertThat(this.data.resolve("nodes").resolve(id)).doesNotExist();
		}
	}

	@Test
	void aProvisioningThatFailsRemovesWhatItStartedAndSaysWhy() throws Exception {
		// 'false' is on every PATH and exits at once: HAProxy never comes up
		try (ConfigurableApplicationContext service = start(this.data, "--coffer.provisioning.haproxy=false")) {
			ApiClient operator = operator(service);
			ApiClient.Response created = operator.post("/api/v1/databases",
					"{\"app\": \"doomed-app\", \"plan\": \"redis-business-256\"}");
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			String id = created.text("id");
			List<Integer> ports = ProvisioningTest.ports(created.json());
			JsonNode failed = awaitStatus(operator, id, "error");
			assertThat(failed.path("status_reason").asString()).startsWith("provisioning failed: haproxy haproxy-leader")
				.contains("exited");
			assertThat(ports).allMatch(ProvisioningTest::isFree);
			assertThat(this.data.resolve("nodes").resolve(id)).doesNotExist();
			for (int port : ports) {
				assertThat(redisProcessesOn(port)).isEmpty();
			}
			assertThat(operator.delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		}
	}

	@AfterEach
	void killLeftovers() {
		CofferTestServices.killProcessesUnder(this.data);
	}

	private static long pidOf(URI uri, String password) {
		try (Jedis jedis = ProvisioningTest.connect(uri, null, password)) {
			return Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}
	}

	/** redis-server processes of this machine that listen on the port, as their title says ("redis-server host:port"). */
	private static List<Long> redisProcessesOn(int port) {
		List<Long> pids = new ArrayList<>();
		ProcessHandle.allProcesses().forEach((process) -> {
			String title = title(process.pid());
			if (title.contains("redis-server") && title.contains(":" + port)) {
				pids.add(process.pid());
			}
		});
		return pids;
	}

	private static String title(long pid) {
		try {
			return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")),
					java.nio.charset.StandardCharsets.UTF_8);
		}
		catch (java.io.IOException ex) {
			return ""; // gone meanwhile
		}
	}

	private static JsonNode awaitStatus(ApiClient operator, String id, String status) {
		return await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> operator.get("/api/v1/databases/" + id).json(),
					(json) -> status.equals(json.path("status").asString()));
	}

	private static ConfigurableApplicationContext start(Path data, String... extra) throws Exception {
		CofferTestServices services = CofferTestServices.get();
		List<String> arguments = new ArrayList<>(List.of("--server.port=0", "--coffer.data-dir=" + data,
				"--coffer.keyring=" + services.keyring(), "--coffer.database.url=" + services.database().jdbcUrl(),
				"--coffer.database.username=" + services.database().username(),
				"--coffer.s3.endpoint=" + services.s3().endpoint(), "--coffer.s3.access-key=" + services.s3().accessKey(),
				"--coffer.s3.secret-key=" + services.s3().secretKey(), "--coffer.s3.bucket=" + CofferTestServices.BUCKET,
				"--coffer.security.admin-token=" + CofferTestServices.ADMIN_TOKEN,
				"--coffer.provisioning.supervise-interval=200ms"));
		arguments.addAll(List.of(extra));
		Files.createDirectories(data);
		return new SpringApplicationBuilder(CofferApplication.class).run(arguments.toArray(String[]::new));
	}

	private static ApiClient operator(ConfigurableApplicationContext context) {
		return new ApiClient(((WebServerApplicationContext) context).getWebServer().getPort(),
				CofferTestServices.ADMIN_TOKEN);
	}

}
