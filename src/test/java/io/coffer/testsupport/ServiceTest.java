package io.coffer.testsupport;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

import io.coffer.catalog.RunStatus;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the tests that run the whole service on a random port. Subclasses say which services it
 * talks to with a {@code @DynamicPropertySource}; most use {@link IntegrationTest}'s shared ones.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServiceTest {

	@LocalServerPort
	protected int port;

	protected ApiClient operator() {
		return new ApiClient(this.port, CofferTestServices.ADMIN_TOKEN);
	}

	protected ApiClient withToken(String token) {
		return new ApiClient(this.port, token);
	}

	/** Registers the Redis nodes on these local ports as the app's database; answers the created database. */
	protected ApiClient.Response registerDatabase(String app, String password, String acquisitionMode, int... ports) {
		String nodes = Arrays.stream(ports)
			.mapToObj((port) -> "{\"host\": \"127.0.0.1\", \"port\": " + port + "}")
			.collect(Collectors.joining(", "));
		ApiClient.Response created = createDatabase(app, """
				{"app": "%s", "register": {"nodes": [%s], "password": "%s", "acquisition_mode": "%s"}}"""
			.formatted(app, nodes, password, acquisitionMode));
		if (created.status() != 201) {
			throw new AssertionError("registering " + app + " failed: " + created.body());
		}
		return created;
	}

	/** Registers both data nodes of {@code redis} and its sentinels as the app's database; answers the created one. */
	protected ApiClient.Response registerDatabase(String app, String password, RedisTopology redis) {
		String sentinels = redis.sentinels()
			.stream()
			.map((sentinel) -> "{\"host\": \"127.0.0.1\", \"port\": " + sentinel.port() + "}")
			.collect(Collectors.joining(", "));
		ApiClient.Response created = createDatabase(app, """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}, {"host": "127.0.0.1", "port": %d}],
				 "password": "%s", "sentinels": [%s], "sentinel_master": "%s"}}"""
			.formatted(app, redis.primary().port(), redis.replica().port(), password, sentinels, redis.masterName()));
		if (created.status() != 201) {
			throw new AssertionError("registering " + app + " failed: " + created.body());
		}
		return created;
	}

	/**
	 * Creates the app's database as the operator. The app may still have one when the test runs again after it
	 * failed (the build runs a failing test once more): that one is deleted first, as its test would have.
	 */
	private ApiClient.Response createDatabase(String app, String body) {
		ApiClient.Response created = operator().post("/api/v1/databases", body);
		if (created.status() == 409 && "app_has_database".equals(created.text("error"))) {
			for (JsonNode database : operator().get("/api/v1/databases").json()) {
				if (app.equals(database.path("app").asString())) {
					operator().delete("/api/v1/databases/" + database.path("id").asString());
				}
			}
			created = operator().post("/api/v1/databases", body);
		}
		return created;
	}

	/** Starts a manual backup as the operator and waits until it is done or failed. */
	protected JsonNode backUp(String databaseId) {
		ApiClient.Response launched = operator().post("/api/v1/databases/" + databaseId + "/backups");
		if (launched.status() != 202) {
			throw new AssertionError("starting a backup of " + databaseId + " failed: " + launched.body());
		}
		return awaitFinished(operator(), databaseId, launched.text("id"));
	}

	/** A database provisioned through the API and running, with its token and the REDIS_URL it was given. */
	public record Provisioned(String id, String token, JsonNode database, URI url) {

		/** The password in REDIS_URL. */
		public String password() {
			return this.url.getUserInfo().substring(this.id.length() + 1);
		}

	}

	/** Provisions a database of {@code plan} for {@code app} as the operator, and waits until it runs. */
	protected Provisioned provision(String app, String plan) {
		ApiClient.Response created = createDatabase(app, "{\"app\": \"" + app + "\", \"plan\": \"" + plan + "\"}");
		if (created.status() != 201) {
			throw new AssertionError("the database was not created: " + created.body());
		}
		String id = created.text("id");
		JsonNode database = awaitRunning(id);
		return new Provisioned(id, created.text("token"), database,
				URI.create(database.path("env").path("REDIS_URL").asString()));
	}

	/** Waits until a provisioned database runs; a failed provisioning fails at once, with its reason. */
	protected JsonNode awaitRunning(String databaseId) {
		return ProvisionedDatabases.awaitRunning(operator(), databaseId);
	}

	/** Asks for a configuration change, waits for its {@code configJob} to complete; answers the execution's id. */
	protected static long changeConfig(ApiClient client, String databaseId, String settings) {
		return completeJob("configJob", client.patch("/api/v1/databases/" + databaseId + "/config", settings), client);
	}

	/**
	 * Waits for the job a request answered 202 with (a configuration change, a plan change, an engine
	 * upgrade) to complete; answers its execution's id, or fails with what the request or the job said.
	 */
	protected static long completeJob(String jobName, ApiClient.Response accepted, ApiClient client) {
		if (accepted.status() != 202 || accepted.text("status").isBlank()) {
			throw new AssertionError(jobName + " was not accepted: " + accepted.body());
		}
		long job = accepted.json().path("job").asLong();
		JsonNode ended = awaitJobEnd(client, job);
		if (!jobName.equals(ended.path("job").asString()) || !"completed".equals(ended.path("status").asString())) {
			throw new AssertionError(jobName + " did not complete: " + ended);
		}
		return job;
	}

	/** The job's execution once it has ended, however it ended. */
	protected static JsonNode awaitJobEnd(ApiClient client, long job) {
		return org.awaitility.Awaitility.await()
			.atMost(Duration.ofSeconds(180))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> client.get("/api/v1/jobs/" + job).json(),
					(json) -> !json.path("status").asString().matches("starting|started"));
	}

	/**
	 * Restores as {@code body} asks ({@code {"backup": ..., "target": ...}}) and waits until the restore ends;
	 * fails unless it was accepted and is done. Answers the finished restore.
	 */
	protected static JsonNode restore(ApiClient client, String databaseId, String body) {
		ApiClient.Response launched = client.post("/api/v1/databases/" + databaseId + "/restores", body);
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		JsonNode ended = awaitRestoreFinished(client, databaseId, launched.text("id"));
		assertThat(ended.path("status").asString()).as(ended.toString()).isEqualTo("done");
		return ended;
	}

	/** The restore once it has finished, however it ended. */
	public static JsonNode awaitRestoreFinished(ApiClient client, String databaseId, String restoreId) {
		return awaitRunFinished(client, "/api/v1/databases/" + databaseId + "/restores/" + restoreId,
				Duration.ofSeconds(180));
	}

	public static JsonNode awaitFinished(ApiClient client, String databaseId, String backupId) {
		return awaitRunFinished(client, "/api/v1/databases/" + databaseId + "/backups/" + backupId,
				Duration.ofSeconds(120));
	}

	/** A backup or a restore, read at {@code path} until its {@link RunStatus} is finished. */
	private static JsonNode awaitRunFinished(ApiClient client, String path, Duration atMost) {
		return org.awaitility.Awaitility.await()
			.atMost(atMost)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> client.get(path).json(), (json) -> RunStatus.of(json.path("status").asString()).isFinished());
	}

}
