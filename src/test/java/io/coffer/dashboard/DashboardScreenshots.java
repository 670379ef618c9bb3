package io.coffer.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import io.coffer.testsupport.Chromium;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Regenerates the screenshots of the dashboard in {@code docs/screenshots/}:
 * {@code mvn -B test -Dtest=DashboardScreenshots -Dscreenshots=true}. Skipped otherwise, so that the
 * suite never rewrites tracked files.
 */
@EnabledIfSystemProperty(named = "screenshots", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardScreenshots extends IntegrationTest {

	private static final Path FOLDER = Path.of("docs", "screenshots");

	private RedisServerProcess redis;

	private Chromium chromium;

	private ChromeDriver browser;

	private String databaseId;

	@BeforeAll
	void start() {
		this.redis = RedisServerProcess.startWithPassword("screenshot-secret");
		this.redis.populate(30_000, "session", 120);
		this.databaseId = registerDatabase("my-app", "screenshot-secret", "stream", this.redis.port()).text("id");
		this.chromium = Chromium.start();
		this.browser = this.chromium.driver();
	}

	@AfterAll
	void stop() {
		if (this.chromium != null) {
			this.chromium.close();
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void everyPage() throws IOException {
		String backupId = null;
		for (int i = 0; i < 4; i++) {
			// a few backups of a growing dataset, for the chart
			this.redis.populate(5_000 * (i + 1), "cart-" + i, 200);
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
		open(database + "/backups");
		shoot("backups");
		open(database + "/backups/" + backupId + "/restore");
		shoot("restore-confirmation");
		open(database + "/settings");
		shoot("settings-general");
		open(database + "/settings/configuration");
		shoot("settings-configuration");
		open(database + "/settings/internet-access");
		shoot("settings-internet-access");
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
