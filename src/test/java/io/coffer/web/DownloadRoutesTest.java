package io.coffer.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.EncryptedLayout;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.Cookies;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's download and the dashboard's are one responder: for the same backup they send the same
 * bytes with the same headers, and answer the same status when its object is damaged or gone.
 */
class DownloadRoutesTest extends IntegrationTest {

	private static final String PASSWORD = "routes-secret";

	private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

	private static final List<String> HEADERS = List.of("Content-Type", "Content-Length", "Content-Disposition",
			"ETag", "Accept-Ranges");

	private static RedisServerProcess redis;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
		redis.populate(5_000, "key", 64);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void bothRoutesSendTheSameArchiveWithTheSameHeaders() throws Exception {
		Database database = register("routes-sound");
		Backup backup = backUp(database);

		HttpResponse<byte[]> api = apiDownload(database, backup);
		HttpResponse<byte[]> dashboard = dashboardDownload(database, backup);

		assertThat(api.statusCode()).isEqualTo(200);
		assertThat(dashboard.statusCode()).isEqualTo(200);
		assertThat(dashboard.body()).isEqualTo(api.body());
		for (String header : HEADERS) {
			assertThat(header(dashboard, header)).as(header).isNotNull().isEqualTo(header(api, header));
		}
		assertThat(header(api, "Content-Length")).isEqualTo(String.valueOf(backup.archiveSize()));
		assertThat(header(api, "Content-Disposition")).isEqualTo("attachment; filename=\"" + backup.name() + "\"");
	}

	@Test
	void bothRoutesAnswer410ForAnObjectGoneFromStorage() throws Exception {
		Database database = register("routes-gone");
		Backup backup = backUp(database);
		this.store.delete(backup.objectKey());

		assertThat(apiDownload(database, backup).statusCode()).isEqualTo(410);
		assertThat(dashboardDownload(database, backup).statusCode()).isEqualTo(410);
	}

	@Test
	void bothRoutesAnswer422ForAnObjectDamagedBeforeAnyByteIsSent() throws Exception {
		Database database = register("routes-damaged");
		Backup backup = backUp(database);
		byte[] stored;
		try (InputStream in = this.store.read(backup.objectKey())) {
			stored = in.readAllBytes();
		}
		stored[EncryptedLayout.headerLength() + 10] ^= 0x01;
		BlobUpload upload = this.store.openUpload(backup.objectKey());
		upload.write(stored);
		upload.complete();

		HttpResponse<byte[]> api = apiDownload(database, backup);
		HttpResponse<byte[]> dashboard = dashboardDownload(database, backup);

		assertThat(api.statusCode()).isEqualTo(422);
		assertThat(new String(api.body(), StandardCharsets.UTF_8)).contains("\"backup_unreadable\"");
		assertThat(dashboard.statusCode()).isEqualTo(422);
		assertThat(new String(dashboard.body(), StandardCharsets.UTF_8)).contains("cannot be read back");
	}

	private record Database(String id, String token) {
	}

	private Database register(String app) {
		ApiClient.Response created = registerDatabase(app, PASSWORD, "stream", redis.port());
		return new Database(created.text("id"), created.text("token"));
	}

	private Backup backUp(Database database) {
		JsonNode finished = backUp(database.id());
		assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
		return this.backups.find(database.id(), finished.path("id").asString()).orElseThrow();
	}

	private HttpResponse<byte[]> apiDownload(Database database, Backup backup) throws Exception {
		return send(request("/api/v1/databases/" + database.id() + "/backups/" + backup.id() + "/archive")
			.header("Authorization", "Bearer " + database.token()));
	}

	private HttpResponse<byte[]> dashboardDownload(Database database, Backup backup) throws Exception {
		return send(request("/dashboard/databases/" + database.id() + "/backups/" + backup.id() + "/archive")
			.header("Accept", "text/html")
			.header("Cookie", signIn(database.token())));
	}

	/** A dashboard session signed in with the token, as the sign-in form does it. @return its cookie */
	private String signIn(String token) throws Exception {
		HttpResponse<byte[]> form = send(request("/dashboard/sign-in").header("Accept", "text/html"));
		String anonymous = Cookies.setBy(form).orElseThrow();
		Matcher csrf = CSRF_FIELD.matcher(new String(form.body(), StandardCharsets.UTF_8));
		assertThat(csrf.find()).as("the sign-in form's CSRF token").isTrue();
		HttpResponse<byte[]> signedIn = send(request("/dashboard/sign-in").header("Cookie", anonymous)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
					+ "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8))));
		assertThat(signedIn.statusCode()).isEqualTo(302);
		assertThat(header(signedIn, "Location")).endsWith("/dashboard");
		return Cookies.setBy(signedIn).orElseThrow();
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).timeout(Duration.ofSeconds(60));
	}

	private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private static String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElse(null);
	}

}
