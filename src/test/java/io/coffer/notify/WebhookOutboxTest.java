package io.coffer.notify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.coffer.crypto.Keyring;
import io.coffer.redisconfig.DatabaseEnvChanged;
import io.coffer.system.CofferInstance;
import io.coffer.testsupport.FreePorts;
import io.coffer.testsupport.Settings;
import io.coffer.testsupport.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook outbox on a catalogue of its own, with dispatchers made by hand as several instances
 * (or an instance and its successor after a restart) would have them: deliveries outlive a receiver
 * that is down and an instance that stops, are given up on after their attempts, are sent by one
 * dispatcher only, and are forgotten a while after they finished. Their bodies, which may carry a
 * password, wait sealed by the keyring.
 */
class WebhookOutboxTest {

	private static final String SECRET = "outbox-secret";

	private static JdbcClient jdbc;

	private static Keyring keyring;

	@TempDir
	static Path keys;

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final List<WebhookDispatcher> dispatchers = new ArrayList<>();

	private final List<HttpServer> receivers = new ArrayList<>();

	record Received(String event, String delivery, String signature, byte[] body, int answered) {
	}

	@BeforeAll
	static void catalogue() {
		TestDatabase database = TestDatabase.get().sibling();
		Flyway.configure().dataSource(database.jdbcUrl(), database.username(), "").load().migrate();
		jdbc = JdbcClient.create(new DriverManagerDataSource(database.jdbcUrl(), database.username(), ""));
		try {
			keyring = Keyring.generate(keys.resolve("keyring"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@BeforeEach
	void emptyOutbox() {
		jdbc.sql("delete from webhook_deliveries").update();
	}

	@AfterEach
	void stop() {
		this.dispatchers.forEach(WebhookDispatcher::stop);
		this.receivers.forEach((receiver) -> receiver.stop(0));
	}

	@Test
	void anEventPostedWhileTheReceiverIsDownIsDeliveredOnceItIsBackWithTheSameDeliveryId() throws IOException {
		int port = FreePorts.next();
		String url = "http://127.0.0.1:" + port + "/hook";
		WebhookProperties properties = properties(url, 20);
		WebhookNotifier notifier = notifier(properties, started(properties, "instance-a"));

		notifier.databaseEnvChanged(new DatabaseEnvChanged("db-1", "app-1",
				Map.of("REDIS_URL", "redis://db-1:secret@127.0.0.1:7000"), Instant.parse("2026-01-01T00:00:00Z")));
		await().atMost(Duration.ofSeconds(20)).until(() -> row().attempts() >= 2);
		assertThat(row().status()).isEqualTo("pending");
		assertThat(row().lastError()).isNotBlank();

		// back, but busy once more
		AtomicInteger calls = new AtomicInteger();
		receiver(port, (exchange) -> (calls.incrementAndGet() == 1) ? 503 : 204);
		await().atMost(Duration.ofSeconds(20)).until(() -> row().status().equals("delivered"));

		assertThat(this.received).extracting(Received::answered).containsExactly(503, 204);
		assertThat(this.received).extracting(Received::delivery).containsOnly(row().deliveryId());
		assertThat(this.received).extracting(Received::event).containsOnly("database_env_changed");
		Received delivered = this.received.get(1);
		assertThat(delivered.signature()).isEqualTo("sha256=" + WebhookNotifier.sign(SECRET, delivered.body()));
		assertThat(JsonMapper.builder().build().readTree(delivered.body()).path("env").path("REDIS_URL").asString())
			.isEqualTo("redis://db-1:secret@127.0.0.1:7000");
	}

	@Test
	void deliveriesLeftByAnInstanceThatStoppedAreSentByTheNextOne() throws IOException {
		int port = FreePorts.next();
		String url = "http://127.0.0.1:" + port + "/hook";
		receiver(port, (exchange) -> 200);
		WebhookProperties properties = properties(url, 5);
		// an instance that published two events, claimed one for an attempt and stopped before sending it
		WebhookOutbox outbox = new WebhookOutbox(jdbc, keyring);
		WebhookNotifier stopped = notifier(properties, new WebhookDispatcher(outbox, properties, instance("stopped")));
		stopped.databaseEnvChanged(new DatabaseEnvChanged("db-1", "app-1", Map.of("REDIS_URL", "redis://a"), Instant.now()));
		stopped.databaseEnvChanged(new DatabaseEnvChanged("db-2", "app-2", Map.of("REDIS_URL", "redis://b"), Instant.now()));
		assertThat(outbox.claim("stopped", 1, Duration.ofMillis(500))).hasSize(1);

		started(properties, "next");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> rows().stream().allMatch((row) -> row.status().equals("delivered")));

		assertThat(rows()).extracting(Row::attempts).containsExactlyInAnyOrder(1, 2);
		assertThat(this.received).extracting(Received::delivery)
			.containsExactlyInAnyOrderElementsOf(rows().stream().map(Row::deliveryId).toList());
	}

	@Test
	void aReceiverThatAlwaysFailsIsGivenUpOnAfterTheLastAttempt() throws IOException {
		int port = FreePorts.next();
		receiver(port, (exchange) -> 500);
		WebhookProperties properties = properties("http://127.0.0.1:" + port + "/hook", 3);
		WebhookNotifier notifier = notifier(properties, started(properties, "instance-a"));

		notifier.databaseEnvChanged(new DatabaseEnvChanged("db-1", "app-1", Map.of("REDIS_URL", "redis://a"), Instant.now()));
		await().atMost(Duration.ofSeconds(20)).until(() -> row().status().equals("failed"));

		assertThat(row().attempts()).isEqualTo(3);
		assertThat(row().lastError()).endsWith("answered 500");
		assertThat(this.received).hasSize(3).extracting(Received::delivery).containsOnly(row().deliveryId());
	}

	@Test
	void twoInstancesNeverBothSendOneDelivery() throws IOException {
		int port = FreePorts.next();
		receiver(port, (exchange) -> 200);
		List<String> urls = new ArrayList<>();
		for (int receiver = 0; receiver < 60; receiver++) {
			urls.add("http://127.0.0.1:" + port + "/hook-" + receiver);
		}
		WebhookProperties properties = properties(String.join(",", urls), 5);
		WebhookOutbox outbox = new WebhookOutbox(jdbc, keyring);
		WebhookNotifier notifier = notifier(properties, new WebhookDispatcher(outbox, properties, instance("publisher")));
		notifier.databaseEnvChanged(new DatabaseEnvChanged("db-1", "app-1", Map.of("REDIS_URL", "redis://a"), Instant.now()));

		started(properties, "instance-a");
		started(properties, "instance-b");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> rows().stream().allMatch((row) -> row.status().equals("delivered")));

		assertThat(rows()).hasSize(60).allMatch((row) -> row.attempts() == 1);
		assertThat(this.received).hasSize(60);
	}

	@Test
	void aBodyWaitsSealedWithoutItsPasswordAndReachesTheReceiverExactlyAsSignedAtPublication() throws IOException {
		int port = FreePorts.next();
		WebhookProperties properties = properties("http://127.0.0.1:" + port + "/hook", 5);
		WebhookNotifier notifier = notifier(properties, new WebhookDispatcher(new WebhookOutbox(jdbc, keyring),
				properties, instance("publisher")));
		String password = "p4ssw0rd-that-must-not-rest-in-clear";
		notifier.databaseEnvChanged(new DatabaseEnvChanged("db-1", "app-1",
				Map.of("REDIS_URL", "redis://db-1:" + password + "@127.0.0.1:7000"), Instant.now()));

		Map<String, Object> stored = jdbc.sql("select body, body_key_id, signature from webhook_deliveries").query()
			.singleRow();
		String storedBody = new String((byte[]) stored.get("body"), StandardCharsets.ISO_8859_1);
		assertThat(storedBody).doesNotContain(password).doesNotContain("REDIS_URL").doesNotContain("db-1");
		assertThat(stored.get("body_key_id")).isEqualTo(keyring.newest().id());

		receiver(port, (exchange) -> 200);
		started(properties, "instance-a");
		await().atMost(Duration.ofSeconds(20)).until(() -> row().status().equals("delivered"));
		Received delivered = this.received.get(0);
		assertThat(JsonMapper.builder().build().readTree(delivered.body()).path("env").path("REDIS_URL").asString())
			.isEqualTo("redis://db-1:" + password + "@127.0.0.1:7000");
		assertThat(delivered.signature()).isEqualTo(stored.get("signature"))
			.isEqualTo("sha256=" + WebhookNotifier.sign(SECRET, delivered.body()));
	}

	@Test
	void aPlainBodyQueuedBeforeBodiesWereSealedIsStillDeliveredAndThenSealed() throws IOException {
		int port = FreePorts.next();
		String url = "http://127.0.0.1:" + port + "/hook";
		byte[] body = "{\"event\":\"database_env_changed\",\"env\":{\"REDIS_URL\":\"redis://a\"}}"
			.getBytes(StandardCharsets.UTF_8);
		String signature = "sha256=" + WebhookNotifier.sign(SECRET, body);
		jdbc.sql("""
				insert into webhook_deliveries (url, event_type, delivery_id, body, signature, max_attempts)
				values (?, 'database_env_changed', 'from-before', ?, ?, 5)
				""").params(url, body, signature).update();
		receiver(port, (exchange) -> 200);

		started(properties(url, 5), "instance-a");
		await().atMost(Duration.ofSeconds(20)).until(() -> row().status().equals("delivered"));

		assertThat(this.received).hasSize(1);
		assertThat(this.received.get(0).body()).isEqualTo(body);
		assertThat(this.received.get(0).signature()).isEqualTo(signature);
		// and it no longer waits in plain text for its retention
		Map<String, Object> stored = jdbc.sql("select body, body_key_id from webhook_deliveries").query().singleRow();
		assertThat(stored.get("body_key_id")).isEqualTo(keyring.newest().id());
		assertThat(new String((byte[]) stored.get("body"), StandardCharsets.ISO_8859_1)).doesNotContain("REDIS_URL");
	}

	@Test
	void aSealedBodyMovedToAnotherReceiverIsNeverSent() throws IOException {
		int port = FreePorts.next();
		receiver(port, (exchange) -> 200);
		WebhookProperties properties = properties("http://127.0.0.1:" + port + "/hook", 2);
		WebhookNotifier notifier = notifier(properties, new WebhookDispatcher(new WebhookOutbox(jdbc, keyring),
				properties, instance("publisher")));
		notifier.databaseEnvChanged(new DatabaseEnvChanged("db-1", "app-1",
				Map.of("REDIS_URL", "redis://db-1:secret@127.0.0.1:7000"), Instant.now()));
		// someone who may write to the catalogue points the delivery at a receiver of theirs
		jdbc.sql("update webhook_deliveries set url = ?").param("http://127.0.0.1:" + port + "/elsewhere").update();

		started(properties, "instance-a");
		await().atMost(Duration.ofSeconds(20)).until(() -> row().status().equals("failed"));

		assertThat(this.received).isEmpty();
		assertThat(row().lastError()).contains("cannot be opened");
	}

	@Test
	void finishedDeliveriesAreForgottenAfterTheirRetention() {
		WebhookOutbox outbox = new WebhookOutbox(jdbc, keyring);
		for (String url : List.of("http://old-delivered", "http://recent-failed", "http://old-pending")) {
			outbox.add(url, "database_env_changed", url, "{}".getBytes(), null, 5);
		}
		jdbc.sql("update webhook_deliveries set status = 'delivered', finished_at = now() - interval '8 days' where url = ?")
			.param("http://old-delivered").update();
		jdbc.sql("update webhook_deliveries set status = 'failed', finished_at = now() - interval '6 days' where url = ?")
			.param("http://recent-failed").update();
		jdbc.sql("update webhook_deliveries set created_at = now() - interval '30 days', next_attempt_at = now() + interval '1 day' where url = ?")
			.param("http://old-pending").update();

		assertThat(outbox.deleteFinishedBefore(Duration.ofDays(7))).isEqualTo(1);
		assertThat(rows()).extracting(Row::url).containsExactlyInAnyOrder("http://recent-failed", "http://old-pending");
	}

	record Row(String url, String deliveryId, int attempts, String status, String lastError) {
	}

	private static List<Row> rows() {
		return jdbc.sql("select url, delivery_id, attempts, status, last_error from webhook_deliveries order by id")
			.query(Row.class)
			.list();
	}

	private static Row row() {
		List<Row> rows = rows();
		assertThat(rows).hasSize(1);
		return rows.get(0);
	}

	private static WebhookProperties properties(String urls, int maxAttempts) {
		return Settings.of(WebhookProperties.class, "urls=" + urls, "secret=" + SECRET, "max-attempts=" + maxAttempts,
				"initial-backoff=20ms", "timeout=2s", "poll-interval=100ms");
	}

	private static CofferInstance instance(String id) {
		return new CofferInstance(id, Instant.now());
	}

	private static WebhookNotifier notifier(WebhookProperties properties, WebhookDispatcher dispatcher) {
		return new WebhookNotifier(properties, JsonMapper.builder().build(), new WebhookOutbox(jdbc, keyring), dispatcher);
	}

	private WebhookDispatcher started(WebhookProperties properties, String instanceId) {
		WebhookDispatcher dispatcher = new WebhookDispatcher(new WebhookOutbox(jdbc, keyring), properties, instance(instanceId));
		this.dispatchers.add(dispatcher);
		dispatcher.start();
		return dispatcher;
	}

	interface Answer {

		int status(HttpExchange exchange);

	}

	private void receiver(int port, Answer answer) throws IOException {
		HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
		receiver.createContext("/", (exchange) -> {
			byte[] body = exchange.getRequestBody().readAllBytes();
			int status = answer.status(exchange);
			this.received.add(new Received(exchange.getRequestHeaders().getFirst(WebhookNotifier.EVENT),
					exchange.getRequestHeaders().getFirst(WebhookNotifier.DELIVERY),
					exchange.getRequestHeaders().getFirst(WebhookNotifier.SIGNATURE), body, status));
			exchange.sendResponseHeaders(status, -1);
			exchange.close();
		});
		receiver.start();
		this.receivers.add(receiver);
	}

}
