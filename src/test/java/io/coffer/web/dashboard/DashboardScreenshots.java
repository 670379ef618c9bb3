package io.coffer.web.dashboard;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import io.coffer.testsupport.Chromium;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.ProvisionedDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/**
 * Regenerates the screenshots of the dashboard in {@code docs/screenshots/}:
 * {@code mvn -B test -Dtest=DashboardScreenshots -Dscreenshots=true}. Skipped otherwise, so that the
 * suite never rewrites tracked files.
 */
@EnabledIfSystemProperty(named = "screenshots", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardScreenshots extends IntegrationTest {

	private static final Path FOLDER = Path.of("docs", "screenshots");

	private Chromium chromium;

	private ChromeDriver browser;

	private String databaseId;

	private URI redisUrl;

	@BeforeAll
	void start() {
		// a provisioned database, so that Settings show what can be changed: plan, version, TLS
		Provisioned provisioned = provision("my-app", "redis-starter-1024");
		this.databaseId = provisioned.id();
		this.redisUrl = provisioned.url();
		populate(30_000, "session", 120);
		this.chromium = Chromium.start();
		this.browser = this.chromium.driver();
	}

	@AfterAll
	void stop() {
		if (this.chromium != null) {
			this.chromium.close();
		}
		if (this.databaseId != null) {
			operator().delete("/api/v1/databases/" + this.databaseId);
		}
	}

	@Test
	void everyPage() throws IOException {
		// point-in-time recovery on, so that the Backups tab shows a recoverable window
		operator().put("/api/v1/databases/" + this.databaseId + "/pitr", "{\"enabled\": true}");
		String backupId = null;
		for (int i = 0; i < 4; i++) {
			// a few backups of a growing dataset, for the chart
			populate(5_000 * (i + 1), "cart-" + i, 200);
			backupId = backUp(this.databaseId).path("id").asString();
		}
		Files.createDirectories(FOLDER);
		open("/dashboard/sign-in");
		shoot("sign-in");
		this.browser.findElement(By.id("token")).sendKeys(CofferTestServices.ADMIN_TOKEN);
		this.browser.findElement(By.cssSelector("main form button[type=submit]")).click();
		shoot("databases");
		String database = "/dashboard/databases/" + this.databaseId;
		open(database);
		shoot("overview");
		JsonNode window = await().atMost(Duration.ofSeconds(60))
			.until(() -> operator().get("/api/v1/databases/" + this.databaseId + "/pitr").json(),
					(pitr) -> pitr.path("recoverable_to").isString());
		open(database + "/backups");
		shoot("backups");
		Instant at = Instant.parse(window.path("recoverable_to").asString()).minusMillis(750);
		open(database + "/restore-at?at=" + at);
		shoot("restore-at-confirmation");
		open(database + "/backups/" + backupId + "/restore");
		shoot("restore-confirmation");
		open(database + "/settings");
		shoot("settings-general");
		open(database + "/settings/configuration");
		shoot("settings-configuration");
		open(database + "/settings/internet-access");
		shoot("settings-internet-access");
	}

	private void populate(int count, String prefix, int valueSize) {
		String password = this.redisUrl.getUserInfo().substring(this.databaseId.length() + 1);
		String value = "v".repeat(valueSize);
		try (Jedis jedis = ProvisionedDatabases.connect(this.redisUrl.getHost(), this.redisUrl.getPort(), null, password);
				Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < count; i++) {
				pipeline.set(prefix + ":" + i, value);
			}
			pipeline.sync();
		}
	}

	private void open(String path) {
		this.browser.get("http://127.0.0.1:" + this.port + path);
	}

	/** The whole page, beyond the window's height (which headless Chromium caps). */
	private void shoot(String name) throws IOException {
		long width = (Long) this.browser.executeScript("return document.documentElement.scrollWidth;");
		long height = (Long) this.browser.executeScript("return document.documentElement.scrollHeight;");
		Map<String, Object> shot = this.browser.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
				"captureBeyondViewport", true,
				"clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
		Files.write(FOLDER.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
	}

}
