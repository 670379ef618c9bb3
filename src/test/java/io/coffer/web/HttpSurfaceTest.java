package io.coffer.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the HTTP surface answers to bad input and to callers who should learn nothing: unknown fields,
 * oversized bodies, malformed requests that Tomcat or Spring refuse before any controller, the metrics
 * endpoint, the dashboard's headers and its sign-in limit.
 */
@TestPropertySource(properties = { "coffer.security.metrics-token=test-metrics-token",
		"coffer.dashboard.sign-in-attempts=3", "coffer.dashboard.sign-in-window=10m" })
class HttpSurfaceTest extends IntegrationTest {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

	private static RedisServerProcess redis;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword("surface-password");
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void anUnknownFieldIs400NamingItAndNothingIsProvisioned() {
		ApiClient.Response response = operator().post("/api/v1/databases",
				"{\"app\": \"extra-field\", \"plan\": \"redis-starter-1024\", \"plann\": \"redis-business-1024\"}");

		assertThat(response.status()).as(response.body()).isEqualTo(400);
		assertThat(response.text("error")).isEqualTo("invalid_request");
		assertThat(response.text("message")).contains("\"plann\"").contains("plan").contains("register");
		assertThat(operator().get("/api/v1/databases").body()).doesNotContain("extra-field");
	}

	@Test
	void aLongUnknownFieldIsNotEchoedWhole() {
		String name = "x".repeat(10_000);

		ApiClient.Response response = operator().post("/api/v1/databases",
				"{\"app\": \"long-field\", \"" + name + "\": 1}");

		assertThat(response.status()).isEqualTo(400);
		assertThat(response.text("message")).startsWith("unknown field \"xxx");
		assertThat(response.body().length()).isLessThan(1000);
	}

	@Test
	void anUnknownFieldDeepInTheBodyIsNamedByItsPath() {
		ApiClient.Response response = operator().post("/api/v1/databases", """
				{"app": "nested-extra", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}],
				 "password": "surface-password", "pasword": "typo"}}""".formatted(redis.port()));

		assertThat(response.status()).as(response.body()).isEqualTo(400);
		assertThat(response.text("message")).contains("register.pasword");
		assertThat(operator().get("/api/v1/databases").body()).doesNotContain("nested-extra");
	}

	@Test
	void aJsonBodyOverTheLimitIs413AndIsNotEchoed() {
		String hugePlan = "p".repeat(1024 * 1024 + 10);

		ApiClient.Response response = operator().post("/api/v1/databases",
				"{\"app\": \"huge\", \"plan\": \"" + hugePlan + "\"}");

		assertThat(response.status()).isEqualTo(413);
		assertThat(response.text("error")).isEqualTo("body_too_large");
		assertThat(response.body().length()).isLessThan(1000);
	}

	@Test
	void aChunkedJsonBodyIsCutOffAtTheLimit() {
		String chunk = "{\"app\": \"chunked\", \"plan\": \"" + "p".repeat(1024 * 1024 + 10) + "\"}";
		RawHttp.Answer answer = RawHttp.send(this.port, "POST /api/v1/databases HTTP/1.1\r\nHost: localhost\r\n"
				+ "Authorization: Bearer test-operator-token\r\nContent-Type: application/json\r\n"
				+ "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n"
				+ chunk + "\r\n0\r\n\r\n");

		assertThat(answer.status()).isEqualTo(413);
		assertThat(json.readTree(answer.body()).path("error").asString()).isEqualTo("body_too_large");
	}

	@Test
	void theImportIsNotHeldToTheJsonLimitAndIts415NamesWhatItTakes() {
		String id = registerDatabase("surface-import", "surface-password", "stream", redis.port()).text("id");
		HttpClient http = HttpClient.newHttpClient();
		byte[] notADump = new byte[2 * 1024 * 1024];

		HttpResponse<String> large = send(http, HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/v1/databases/" + id + "/backups/import"))
			.header("Authorization", "Bearer test-operator-token")
			.header("Content-Type", "application/octet-stream")
			.POST(HttpRequest.BodyPublishers.ofByteArray(notADump)));
		HttpResponse<String> wrongType = send(http, HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/v1/databases/" + id + "/backups/import"))
			.header("Authorization", "Bearer test-operator-token")
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("hello")));

		assertThat(large.statusCode()).as(large.body()).isEqualTo(422);
		assertThat(wrongType.statusCode()).isEqualTo(415);
		assertThat(json.readTree(wrongType.body()).path("message").asString()).contains("application/octet-stream")
			.contains("application/gzip");
	}

	@Test
	void anEncodedSlashInThePathIsAJson400() {
		assertJsonError(RawHttp.send(this.port, get("/api/v1/databases/a%2fb")), 400);
	}

	@Test
	void aNulInThePathIsAJson400() {
		assertJsonError(RawHttp.send(this.port, get("/api/v1/databases/a%00b")), 400);
	}

	@Test
	void aPathTheFirewallRefusesIsAJson400OnTheApiAndAPageOnTheDashboard() {
		assertJsonError(RawHttp.send(this.port, get("/api/v1/databases;v=1")), 400);
		assertJsonError(RawHttp.send(this.port, get("/api/v1/databases/a%25b")), 400);

		RawHttp.Answer page = RawHttp.send(this.port, "GET /dashboard/databases;v=1 HTTP/1.1\r\nHost: localhost\r\n"
				+ "Accept: text/html\r\nConnection: close\r\n\r\n");
		assertThat(page.status()).isEqualTo(400);
		assertThat(page.header("Content-Type")).startsWith("text/html");
		assertThat(page.body()).contains("This request could not be read").doesNotContain("Exception");
	}

	@Test
	void headersTooLargeForTomcatAreAJsonError() {
		RawHttp.Answer answer = RawHttp.send(this.port, "GET /api/v1/databases HTTP/1.1\r\nHost: localhost\r\n"
				+ "X-Padding: " + "x".repeat(64 * 1024) + "\r\nConnection: close\r\n\r\n");

		assertJsonError(answer, answer.status());
		assertThat(answer.status()).isBetween(400, 499);
	}

	@Test
	void aBodyShorterThanItsLengthIsAJson400() {
		RawHttp.Answer answer = RawHttp.send(this.port, "POST /api/v1/databases HTTP/1.1\r\nHost: localhost\r\n"
				+ "Authorization: Bearer test-operator-token\r\nContent-Type: application/json\r\n"
				+ "Content-Length: 500\r\n\r\n{\"app\": \"short\"");

		assertJsonError(answer, 400);
	}

	@Test
	void anUnknownApiPathIsAJson404EvenForABrowser() {
		RawHttp.Answer answer = RawHttp.send(this.port, "GET /api/v2/nothing HTTP/1.1\r\nHost: localhost\r\n"
				+ "Accept: text/html\r\nAuthorization: Bearer test-operator-token\r\nConnection: close\r\n\r\n");

		assertJsonError(answer, 404);
	}

	@Test
	void aRestoreIntoAnotherTenantsAppLooksLikeOneIntoNoApp() {
		ApiClient.Response mine = registerDatabase("surface-mine", "surface-password", "stream", redis.port());
		ApiClient.Response theirs = registerDatabase("surface-theirs", "surface-password", "stream", redis.port());
		ApiClient owner = withToken(mine.text("token"));
		String restores = "/api/v1/databases/" + mine.text("id") + "/restores";

		ApiClient.Response intoTheirs = owner.post(restores,
				"{\"backup\": \"latest\", \"target\": \"new_database\", \"app\": \"surface-theirs\"}");
		ApiClient.Response intoNothing = owner.post(restores,
				"{\"backup\": \"latest\", \"target\": \"new_database\", \"app\": \"surface-nobody\"}");
		ApiClient.Response intoTheirId = owner.post(restores,
				"{\"backup\": \"latest\", \"target\": \"new_database\", \"target_database\": \"" + theirs.text("id") + "\"}");
		ApiClient.Response intoNoId = owner.post(restores,
				"{\"backup\": \"latest\", \"target\": \"new_database\", \"target_database\": \"surface-nobody-1234\"}");

		assertThat(intoTheirs.status()).isEqualTo(404);
		assertThat(intoTheirs.body()).isEqualTo(intoNothing.body().replace("surface-nobody", "surface-theirs"))
			.doesNotContain(theirs.text("id"));
		assertThat(intoTheirId.status()).isEqualTo(404);
		assertThat(intoTheirId.body()).isEqualTo(intoNoId.body().replace("surface-nobody-1234", theirs.text("id")));
	}

	@Test
	void metricsNeedTheOperatorOrTheMetricsTokenAndHealthStaysOpen() {
		String databaseToken = registerDatabase("surface-metrics", "surface-password", "stream", redis.port())
			.text("token");

		assertThat(withToken(null).get("/actuator/prometheus").status()).isEqualTo(401);
		assertThat(withToken("cft_forged").get("/actuator/prometheus").status()).isEqualTo(401);
		assertThat(withToken(null).get("/actuator/%70rometheus").status()).isEqualTo(401);
		ApiClient.Response tenant = withToken(databaseToken).get("/actuator/prometheus");
		assertThat(tenant.status()).isEqualTo(403);
		assertThat(tenant.text("error")).isEqualTo("operator_only");
		assertThat(operator().get("/actuator/prometheus").body()).contains("jvm_memory_used_bytes");
		assertThat(withToken("test-metrics-token").get("/actuator/prometheus").body()).contains("jvm_memory_used_bytes");
		assertThat(withToken("test-metrics-token").get("/api/v1/databases").status()).isEqualTo(401);
		assertThat(withToken(null).get("/actuator/health").status()).isIn(200, 503);
	}

	@Test
	void theDashboardSendsAContentSecurityPolicyAndAReferrerPolicy() {
		RawHttp.Answer page = RawHttp.send(this.port, get("/dashboard/sign-in"));

		assertThat(page.status()).isEqualTo(200);
		assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'")
			.doesNotContain("unsafe-inline");
		assertThat(page.header("Referrer-Policy")).isEqualTo("same-origin");
	}

	@Test
	void signInAttemptsAreLimitedPerClientAddress() throws Exception {
		InetAddress attacker = InetAddress.getByName("127.0.0.2");
		InetAddress someoneElse = InetAddress.getByName("127.0.0.3");

		for (int attempt = 0; attempt < 3; attempt++) {
			assertThat(signIn(attacker, "cft_guess-" + attempt).header("Location")).endsWith("/dashboard/sign-in?error");
		}
		RawHttp.Answer refused = signIn(attacker, "cft_guess-4");
		RawHttp.Answer other = signIn(someoneElse, "cft_guess-5");

		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.header("Retry-After")).isNotBlank();
		assertThat(refused.header("Content-Type")).startsWith("text/html");
		assertThat(refused.body()).contains("Too many sign-in attempts");
		assertThat(other.header("Location")).endsWith("/dashboard/sign-in?error");
	}

	@Test
	void aPortThatDoesNotSpeakRedisIsNamedWithoutEchoingWhatItSaid() throws Exception {
		try (ServerSocket web = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Thread answering = new Thread(() -> answerLikeAWebServer(web), "not-redis");
			answering.setDaemon(true);
			answering.start();
			ApiClient.Response response = operator().post("/api/v1/databases", """
					{"app": "not-redis", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}]}}"""
				.formatted(web.getLocalPort()));
			answering.interrupt();

			assertThat(response.status()).isEqualTo(422);
			assertThat(response.text("message")).isEqualTo("127.0.0.1:" + web.getLocalPort() + " is not a Redis server");
		}
	}

	private static void answerLikeAWebServer(ServerSocket web) {
		while (!web.isClosed()) {
			try (Socket client = web.accept()) {
				client.getInputStream().read(new byte[1024]);
				OutputStream out = client.getOutputStream();
				out.write("HTTP/1.1 400 Bad Request\r\nServer: internal-billing-7\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private RawHttp.Answer signIn(InetAddress from, String token) {
		RawHttp.Answer page = RawHttp.send(this.port, from, get("/dashboard/sign-in"));
		String cookie = page.header("Set-Cookie").split(";")[0];
		Matcher csrf = CSRF_FIELD.matcher(page.body());
		assertThat(csrf.find()).as(page.body()).isTrue();
		String form = "_csrf=" + java.net.URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8) + "&token=" + token;
		return RawHttp.send(this.port, from, "POST /dashboard/sign-in HTTP/1.1\r\nHost: localhost\r\nCookie: " + cookie
				+ "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length()
				+ "\r\nConnection: close\r\n\r\n" + form);
	}

	private static String get(String path) {
		return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer test-operator-token\r\n"
				+ "Connection: close\r\n\r\n";
	}

	private static void assertJsonError(RawHttp.Answer answer, int status) {
		assertThat(answer.status()).as(answer.raw()).isEqualTo(status);
		assertThat(answer.header("Content-Type")).as(answer.raw()).startsWith("application/json");
		JsonNode body = json.readTree(answer.body());
		assertThat(body.path("error").asString()).as(answer.raw()).isNotBlank();
		assertThat(body.path("message").asString()).as(answer.raw()).isNotBlank();
		assertThat(answer.raw()).doesNotContain("<html").doesNotContain("Exception");
	}

	private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) {
		try {
			return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
