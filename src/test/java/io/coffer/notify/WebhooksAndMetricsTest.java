package io.coffer.notify;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks received by a local HTTP server: signed, retried with backoff by a receiver that fails
 * twice, given up on by one that always fails — and the backup is done all the same.
 */
// its own context (webhook settings): closed afterwards, to give its connections back
@DirtiesContext
// the backup's deliveries are counted exactly: later events must not come first
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhooksAndMetricsTest extends IntegrationTest {

	private static final String SECRET = "webhook-secret";

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final Map<String, List<Received>> received = new ConcurrentHashMap<>();

	private static final AtomicInteger flakyCalls = new AtomicInteger();

	private static HttpServer receiver;

	record Received(String event, String signature, byte[] body, int answered) {

		boolean signedCorrectly() {
			return ("sha256=" + WebhookNotifier.sign(SECRET, this.body)).equals(this.signature);
		}

		JsonNode json() {
			return WebhooksAndMetricsTest.json.readTree(this.body);
		}

	}

	@DynamicPropertySource
	static void webhooks(DynamicPropertyRegistry registry) throws IOException {
		receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		receiver.createContext("/ok", (exchange) -> answer(exchange, "ok", 200));
		receiver.createContext("/flaky", (exchange) -> answer(exchange, "flaky", (flakyCalls.incrementAndGet() <= 2) ? 503 : 204));
		receiver.createContext("/down", (exchange) -> answer(exchange, "down", 500));
		receiver.start();
		String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
		registry.add("coffer.webhooks.urls", () -> base + "/ok," + base + "/flaky," + base + "/down");
		registry.add("coffer.webhooks.secret", () -> SECRET);
		registry.add("coffer.webhooks.max-attempts", () -> "4");
		registry.add("coffer.webhooks.initial-backoff", () -> "100ms");
	}

	@AfterAll
	static void stopReceiver() {
		receiver.stop(0);
	}

	private static void answer(HttpExchange exchange, String receiverName, int status) throws IOException {
		byte[] body = exchange.getRequestBody().readAllBytes();
		received.computeIfAbsent(receiverName, (name) -> new CopyOnWriteArrayList<>())
			.add(new Received(exchange.getRequestHeaders().getFirst("X-Coffer-Event"),
					exchange.getRequestHeaders().getFirst("X-Coffer-Signature"), body, status));
		exchange.sendResponseHeaders(status, -1);
		exchange.close();
	}

	@Test
	@Order(1)
	void backupEventsAreSignedRetriedAndNeverFailTheBackup() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword("hook-secret")) {
			String db = register(redis);
			ApiClient.Response launched = operator().post("/api/v1/databases/" + db + "/backups");
			String backupId = launched.text("id");

			JsonNode done = await().atMost(Duration.ofSeconds(90))
				.until(() -> operator().get("/api/v1/databases/" + db + "/backups/" + backupId).json(),
						(backup) -> !backup.path("status").asString().matches("scheduled|running"));
			assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("done");

			await().atMost(Duration.ofSeconds(30)).until(() -> received.getOrDefault("down", List.of()).size() >= 4
					&& received.getOrDefault("flaky", List.of()).size() >= 3 && received.containsKey("ok"));
			Received ok = received.get("ok").get(0);
			assertThat(ok.event()).isEqualTo("database_backup_succeeded");
			assertThat(ok.signedCorrectly()).isTrue();
			assertThat(ok.json().path("database_id").asString()).isEqualTo(db);
			assertThat(ok.json().path("backup_id").asString()).isEqualTo(backupId);
			assertThat(ok.json().path("name").asString()).isEqualTo(done.path("name").asString());
			assertThat(ok.json().path("size").asLong()).isEqualTo(done.path("size").asLong());
			assertThat(received.get("flaky")).extracting(Received::answered).containsExactly(503, 503, 204);
			assertThat(received.get("flaky")).allMatch(Received::signedCorrectly);
			assertThat(received.get("down")).hasSize(4).allMatch(Received::signedCorrectly);

			// a failure is announced too, with its sentence
			redis.stop();
			String failedId = operator().post("/api/v1/databases/" + db + "/backups").text("id");
			await().atMost(Duration.ofSeconds(60))
				.until(() -> received.get("ok").stream().anyMatch((r) -> r.json().path("backup_id").asString().equals(failedId)));
			Received failed = received.get("ok").stream()
				.filter((r) -> r.json().path("backup_id").asString().equals(failedId))
				.findFirst()
				.orElseThrow();
			assertThat(failed.event()).isEqualTo("database_backup_failed");
			assertThat(failed.json().path("error").asString()).contains("127.0.0.1:" + redis.port());
			assertThat(failed.signedCorrectly()).isTrue();

			String metrics = operator().get("/actuator/prometheus").body();
			assertThat(metrics).contains("coffer_backup_duration_seconds_bucket")
				.contains("coffer_backup_size_bytes_bucket")
				.contains("coffer_backup_failures_total{reason=\"redis\"}")
				.contains("coffer_backup_last_success_seconds{database=\"" + db + "\"}")
				.contains("coffer_backup_running")
				.contains("coffer_backup_queued");
		}
	}

	@Test
	@Order(2)
	void forcingTlsTellsThePlatformTheAppsNewRedisUrlEvenWhenAnotherSettingOfTheChangeFails() throws Exception {
		Provisioned provisioned = provision("hooks-tls", "redis-starter-256");
		String id = provisioned.id();
		URI plainUrl = provisioned.url();
		String password = provisioned.password();
		// a file where the AOF folder goes: Redis cannot turn AOF on, after the switch to TLS has taken
		Path blocker;
		try (Jedis jedis = new Jedis(plainUrl.getHost(), plainUrl.getPort(),
				DefaultJedisClientConfig.builder().user(id).password(password).build())) {
			blocker = Path.of(jedis.configGet("dir").get("dir")).resolve("appendonlydir");
		}
		Files.writeString(blocker, "not a folder");

		ApiClient.Response accepted = operator().patch("/api/v1/databases/" + id + "/config",
				"{\"force_tls\": true, \"aof\": true}");
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
		JsonNode ended = awaitJobEnd(operator(), accepted.json().path("job").asLong());
		assertThat(ended.path("status").asString()).as(ended.toString()).isEqualTo("failed");

		// the nodes speak TLS only now: the app is told, though the change as a whole failed
		String tlsUrl = operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString();
		assertThat(tlsUrl).startsWith("rediss://");
		Received forced = awaitEnvChanged(1);
		assertThat(forced.signedCorrectly()).isTrue();
		assertThat(forced.json().path("database_id").asString()).isEqualTo(id);
		assertThat(forced.json().path("app").asString()).isEqualTo("hooks-tls");
		assertThat(forced.json().path("env").path("REDIS_URL").asString()).isEqualTo(tlsUrl);

		// turned off: told again, with redis:// back
		Files.delete(blocker);
		changeConfig(operator(), id, "{\"force_tls\": false}");
		Received unforced = awaitEnvChanged(2);
		assertThat(unforced.json().path("env").path("REDIS_URL").asString()).isEqualTo(plainUrl.toString());
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	/** The {@code count}-th {@code database_env_changed} the receiver got, once it got it. */
	private static Received awaitEnvChanged(int count) {
		List<Received> changes = await().atMost(Duration.ofSeconds(30))
			.until(() -> received.getOrDefault("ok", List.of())
				.stream()
				.filter((hook) -> "database_env_changed".equals(hook.event()))
				.toList(), (hooks) -> hooks.size() >= count);
		return changes.get(count - 1);
	}

	private String register(RedisServerProcess redis) {
		ApiClient.Response created = operator().post("/api/v1/databases", """
				{"app": "hooks", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}], "password": "hook-secret"}}"""
			.formatted(redis.port()));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.text("id");
	}

}
