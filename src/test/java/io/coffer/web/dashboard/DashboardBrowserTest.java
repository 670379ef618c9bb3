package io.coffer.web.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.node.Plan;
import io.coffer.schedule.BackupScheduleService;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.Chromium;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.Cookies;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.annotation.Autowired;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser: headless Chromium, one for the class, against the service on its
 * random port and real Redis servers. Each test signs in afresh.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest extends IntegrationTest {

	private static final String PASSWORD = "dashboard-secret";

	private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private RedisServerProcess redis;

	private RedisServerProcess down;

	private Chromium chromium;

	private WebDriver browser;

	private String databaseId;

	private String app;

	private String token;

	private String otherId;

	private String otherApp;

	@Autowired
	BackupRepository backups;

	@Autowired
	BackupScheduleService schedules;

	@Autowired
	BlobStore store;

	@Autowired
	PitrRepository pitr;

	@BeforeAll
	void start() {
		String suffix = UUID.randomUUID().toString().substring(0, 8);
		this.redis = RedisServerProcess.startWithPassword(PASSWORD);
		this.redis.populate(20_000, "key", 100);
		this.down = RedisServerProcess.start();
		this.app = "dashboard-" + suffix;
		var created = registerDatabase(this.app, PASSWORD, "stream", this.redis.port());
		this.databaseId = created.text("id");
		this.token = created.text("token");
		this.otherApp = "dashboard-down-" + suffix;
		this.otherId = registerDatabase(this.otherApp, "", "stream", this.down.port()).text("id");
		this.down.stop();
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
		if (this.down != null) {
			this.down.close();
		}
	}

	@Test
	void backUpWatchItFinishWithoutReloadingAndDownloadIt() throws Exception {
		signIn(this.token);
		assertThat(this.browser.getCurrentUrl()).endsWith("/dashboard/databases/" + this.databaseId);
		assertThat(text(By.id("keys"))).contains("db0").contains("20,000");
		assertThat(text(By.id("env"))).contains("REDIS_URL=redis://127.0.0.1:").doesNotContain(PASSWORD);

		open("/dashboard/databases/" + this.databaseId + "/backups");
		// a frozen node holds the backup back, so that the page shows it running
		this.redis.freeze();
		String backupId;
		try {
			this.browser.findElement(By.id("backup-now")).click();
			backupId = await().atMost(Duration.ofSeconds(30))
				.until(() -> this.backups.findInFlight(this.databaseId), Optional::isPresent)
				.orElseThrow()
				.id();
			By rowOf = By.id("backup-" + backupId);
			WebElement row = new WebDriverWait(this.browser, Duration.ofSeconds(30))
				.until(ExpectedConditions.presenceOfElementLocated(rowOf));
			assertThat(row.getAttribute("data-poll-url")).isNotNull();
			assertThat(row.findElement(By.cssSelector(".status .badge")).getText()).isIn("scheduled", "running");
			markPage();
		}
		finally {
			this.redis.thaw();
		}
		By status = By.cssSelector("#backup-" + backupId + " .status .badge");
		// the poller re-renders the row as the backup moves on: an element read between two renders is stale
		new WebDriverWait(this.browser, Duration.ofSeconds(120)).ignoring(StaleElementReferenceException.class)
			.until((driver) -> "done".equals(driver.findElement(status).getText()));
		assertThat(pageMarked()).as("the page was not reloaded").isTrue();

		Backup backup = this.backups.find(this.databaseId, backupId).orElseThrow();
		this.browser.findElement(By.cssSelector("#backup-" + backupId + " a.download")).click();
		Path file = this.chromium.downloads().resolve(backup.name());
		await().atMost(Duration.ofSeconds(60))
			.until(() -> Files.exists(file) && Files.size(file) == backup.archiveSize()
					&& !Files.exists(file.resolveSibling(backup.name() + ".crdownload")));
		assertThat(sha256(file)).isEqualTo(backup.archiveSha256());
	}

	@Test
	void restoreAfterConfirmingWhatIsOverwritten() {
		String backupId = backUp(this.databaseId).path("id").asString();
		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/backups");
		assertThat(this.browser.findElements(By.cssSelector("#charts svg[aria-label='Archive size of the last backups']")))
			.hasSize(1);
		this.browser.findElement(By.cssSelector("#backup-" + backupId + " a.restore")).click();
		assertThat(text(By.id("confirm-restore"))).contains(this.app).contains(this.databaseId).contains(backupId);
		assertThat(text(By.id("restore-node"))).isEqualTo("127.0.0.1:" + this.redis.port());
		this.browser.findElement(By.id("confirm")).click();
		new WebDriverWait(this.browser, Duration.ofSeconds(30))
			.until(ExpectedConditions.urlContains("/dashboard/databases/" + this.databaseId + "/restores/"));
		markPage();
		new WebDriverWait(this.browser, Duration.ofSeconds(120))
			.until((driver) -> List.of("done", "error").contains(driver.findElement(By.id("restore-status")).getText()));
		assertThat(text(By.id("restore"))).contains("The restore is done");
		assertThat(pageMarked()).as("the page was not reloaded").isTrue();
	}

	@Test
	void restoreOfSelectedKeysFromTheKeysField() {
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("dash-cart:1", "from the backup");
			jedis.set("dash-other", "from the backup");
		}
		String backupId = backUp(this.databaseId).path("id").asString();
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("dash-cart:1", "changed");
			jedis.set("dash-other", "changed, and kept");
		}
		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/backups/" + backupId + "/restore");
		this.browser.findElement(By.id("keys")).sendKeys("dash-cart:*, dash-none");
		this.browser.findElement(By.id("confirm")).click();
		new WebDriverWait(this.browser, Duration.ofSeconds(30))
			.until(ExpectedConditions.urlContains("/dashboard/databases/" + this.databaseId + "/restores/"));
		new WebDriverWait(this.browser, Duration.ofSeconds(120)).ignoring(StaleElementReferenceException.class)
			.until((driver) -> List.of("done", "error").contains(driver.findElement(By.id("restore-status")).getText()));
		assertThat(text(By.id("restore"))).contains("the matching keys hold the backup's values");
		assertThat(text(By.id("restore-keys"))).isEqualTo("dash-cart:*, dash-none");
		assertThat(text(By.id("restore-selection"))).contains("db0");
		try (Jedis jedis = this.redis.jedis()) {
			assertThat(jedis.get("dash-cart:1")).isEqualTo("from the backup");
			assertThat(jedis.get("dash-other")).isEqualTo("changed, and kept");
		}
	}

	@Test
	void anArchiveMissingFromStorageIsSaidSoOnThePage() throws Exception {
		String backupId = backUp(this.databaseId).path("id").asString();
		this.store.delete(this.backups.find(this.databaseId, backupId).orElseThrow().objectKey());
		signIn(this.token);
		String download = "/dashboard/databases/" + this.databaseId + "/backups/" + backupId + "/archive";
		open(download);
		assertThat(text(By.tagName("main"))).contains("The archive of backup " + backupId
				+ " is missing from the backup storage.");
		HttpResponse<String> answer = get(download, sessionCookie());
		assertThat(answer.statusCode()).isEqualTo(410);
		assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at io.coffer");
		// the rest of the dashboard does not need storage
		open("/dashboard/databases/" + this.databaseId + "/backups");
		assertThat(text(By.id("backup-" + backupId))).contains("done");
	}

	@Test
	void whatTheVerificationFoundIsShownOnEachBackup() throws Exception {
		String soundId = backUp(this.databaseId).path("id").asString();
		String goneId = backUp(this.databaseId).path("id").asString();
		this.store.delete(this.backups.find(this.databaseId, goneId).orElseThrow().objectKey());
		ApiClient.Response launched = operator().post("/api/v1/jobs/verifyBackupsJob?database=" + this.databaseId);
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		assertThat(awaitJobEnd(operator(), launched.json().path("execution").asLong()).path("status").asString())
			.isEqualTo("completed");

		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/backups");
		assertThat(text(By.cssSelector("#backup-" + goneId + " .verified"))).contains("damaged").contains("is missing");
		assertThat(text(By.cssSelector("#backup-" + soundId + " .verified"))).matches("\\w{3}, \\d{2} \\w{3} \\d{4} .* UTC");
	}

	@Test
	void changeTheSchedule() {
		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/backups");
		WebElement enabled = this.browser.findElement(By.id("schedule-enabled"));
		if (!enabled.isSelected()) {
			enabled.click();
		}
		new Select(this.browser.findElement(By.id("schedule-hour"))).selectByValue("5");
		this.browser.findElement(By.id("save-schedule")).click();
		awaitText(By.cssSelector(".notice"), "Scheduled backups are on: every day at 5:");
		assertThat(this.schedules.get(this.databaseId, Plan.EVERY_HOURS).hourUtc()).isEqualTo(5);
		assertThat(new Select(this.browser.findElement(By.id("schedule-hour"))).getFirstSelectedOption().getText())
			.isEqualTo("5:00 UTC");

		this.browser.findElement(By.id("schedule-enabled")).click();
		this.browser.findElement(By.id("save-schedule")).click();
		awaitText(By.cssSelector(".notice"), "Scheduled backups are off.");
		assertThat(this.schedules.get(this.databaseId, Plan.EVERY_HOURS).enabled()).isFalse();
	}

	@Test
	void backUpEverySixHours() {
		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/backups");
		WebElement enabled = this.browser.findElement(By.id("schedule-enabled"));
		if (!enabled.isSelected()) {
			enabled.click();
		}
		new Select(this.browser.findElement(By.id("schedule-hour"))).selectByValue("4");
		new Select(this.browser.findElement(By.id("schedule-every-hours"))).selectByValue("6");
		this.browser.findElement(By.id("save-schedule")).click();

		awaitText(By.cssSelector(".notice"), "Scheduled backups are on: every 6 hours from 4:");
		assertThat(this.schedules.get(this.databaseId, Plan.EVERY_HOURS).everyHours()).isEqualTo(6);
		assertThat(new Select(this.browser.findElement(By.id("schedule-every-hours"))).getFirstSelectedOption().getText())
			.isEqualTo("Every 6 hours");
		assertThat(text(By.id("schedule-summary"))).contains("A backup starts every 6 hours from 4:");

		// back to once a day, as the other tests of this database expect
		new Select(this.browser.findElement(By.id("schedule-every-hours"))).selectByValue("24");
		this.browser.findElement(By.id("save-schedule")).click();
		awaitText(By.cssSelector(".notice"), "Scheduled backups are on: every day at 4:");
		assertThat(this.schedules.get(this.databaseId, Plan.EVERY_HOURS).everyHours()).isEqualTo(24);
	}

	@Test
	void aFormWithoutItsCsrfTokenIsRefused() throws Exception {
		signIn(this.token);
		String cookie = sessionCookie();
		String backupsPage = "/dashboard/databases/" + this.databaseId + "/backups";
		int before = this.backups.findAll(this.databaseId).size();

		HttpResponse<String> forged = post(backupsPage, cookie, "");
		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(forged.body()).contains("This form has expired or was not sent from this dashboard")
			.doesNotContain("Exception");
		assertThat(this.backups.findAll(this.databaseId)).hasSize(before);

		// the same session with the page's token is let through: the token is what was missing
		Matcher csrf = CSRF_FIELD.matcher(get(backupsPage, cookie).body());
		assertThat(csrf.find()).isTrue();
		HttpResponse<String> genuine = post("/dashboard/databases/" + this.databaseId + "/backup-schedule", cookie,
				"_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8) + "&enabled=false");
		assertThat(genuine.statusCode()).isEqualTo(302);
	}

	@Test
	void anotherDatabaseIsNotFoundWithADatabaseToken() throws Exception {
		signIn(this.token);
		open("/dashboard/databases/" + this.otherId);
		assertThat(text(By.tagName("main"))).contains("There is nothing here, or your token does not give access to it.")
			.doesNotContain(this.otherApp);
		String cookie = sessionCookie();
		for (String page : List.of("", "/backups", "/settings")) {
			assertThat(get("/dashboard/databases/" + this.otherId + page, cookie).statusCode()).isEqualTo(404);
		}
		assertThat(get("/dashboard/databases/no-such-database", cookie).statusCode()).isEqualTo(404);
		HttpResponse<String> noPage = get("/dashboard/databases/" + this.databaseId + "/no-such-tab", cookie);
		assertThat(noPage.statusCode()).isEqualTo(404);
		assertThat(noPage.body()).contains("There is nothing here");
		assertThat(get("/dashboard/assets/coffer.css", cookie).statusCode()).isEqualTo(200);
		// and the operator's list is not theirs: they land on their own database
		open("/dashboard");
		assertThat(this.browser.getCurrentUrl()).endsWith("/dashboard/databases/" + this.databaseId);
	}

	@Test
	void signOut() {
		signIn(this.token);
		this.browser.findElement(By.id("sign-out")).click();
		awaitUrlEndingWith("/dashboard/sign-in?signed-out");
		assertThat(text(By.cssSelector(".notice"))).isEqualTo("You are signed out.");
		open("/dashboard/databases/" + this.databaseId);
		assertThat(this.browser.getCurrentUrl()).endsWith("/dashboard/sign-in");
	}

	@Test
	void aWrongTokenIsSaidSo() {
		signIn("cft_not-a-token");
		assertThat(this.browser.getCurrentUrl()).endsWith("/dashboard/sign-in?error");
		assertThat(text(By.cssSelector(".problem"))).startsWith("This token is not valid");
	}

	@Test
	void theOperatorSeesEveryDatabaseAndANodeThatIsDown() {
		signIn(CofferTestServices.ADMIN_TOKEN);
		assertThat(this.browser.getCurrentUrl()).endsWith("/dashboard");
		String list = text(By.id("databases"));
		assertThat(list).contains(this.app).contains(this.otherApp);
		WebElement never = this.browser.findElement(By.xpath("//tr[td/a[text()='" + this.otherApp + "']]/td[5]"));
		assertThat(never.getText()).isEqualTo("never backed up");
		assertThat(never.getAttribute("class")).contains("late");

		this.browser.findElement(By.linkText(this.otherApp)).click();
		assertThat(text(By.id("memory"))).contains("could not be read just now").contains("connection refused");
		assertThat(text(By.id("stats"))).contains("does not answer").contains("connection refused");
		assertThat(text(By.id("env"))).contains("REDIS_URL=redis://127.0.0.1:" + this.down.port());
		open("/dashboard/databases/" + this.otherId + "/settings/configuration");
		assertThat(text(By.tagName("main"))).contains("could not be read just now").contains("RDB Persistence");
		open("/dashboard/databases/" + this.otherId + "/backups");
		assertThat(text(By.id("backups"))).contains("No backup yet.");
	}

	@Test
	void theSettingsShowTheLiveConfigurationAndAofIsEnabledOnTheNode() {
		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/settings/configuration");
		assertThat(text(By.id("aof"))).contains("disabled");
		assertThat(text(By.id("cache-mode"))).contains("Don't use your Redis instance to store important information");

		this.browser.findElement(By.cssSelector("#aof button")).click();

		awaitText(By.cssSelector(".notice"), "AOF persistence is being enabled on every node");
		try (Jedis jedis = this.redis.jedis()) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> jedis.configGet("appendonly").get("appendonly"), "yes"::equals);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			open("/dashboard/databases/" + this.databaseId + "/settings/configuration");
			return text(By.id("aof")).contains("enabled") && text(By.cssSelector("#aof button")).equals("Disable");
		});
		this.browser.findElement(By.cssSelector("#aof button")).click();
		awaitText(By.cssSelector(".notice"), "AOF persistence is being disabled on every node");
		try (Jedis jedis = this.redis.jedis()) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> jedis.configGet("appendonly").get("appendonly"), "no"::equals);
		}
		open("/dashboard/databases/" + this.databaseId + "/settings");
		assertThat(text(By.id("version"))).contains("Redis " + this.redis.info("server").get("redis_version"));
		open("/dashboard/databases/" + this.databaseId + "/settings/internet-access");
		assertThat(text(By.id("force-tls"))).contains("is a registered database");
		assertThat(this.browser.findElements(By.cssSelector("#force-tls button"))).isEmpty();
	}

	@Test
	void forceTlsOnAProvisionedDatabaseAndDownloadItsCaCertificate() throws Exception {
		ApiClient.Response created = operator().post("/api/v1/databases",
				"{\"app\": \"dashboard-tls-" + UUID.randomUUID().toString().substring(0, 8)
						+ "\", \"plan\": \"redis-starter-256\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = created.text("id");
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
			.until(() -> operator().get("/api/v1/databases/" + id).json().path("status").asString(), "running"::equals);
		signIn(created.text("token"));
		open("/dashboard/databases/" + id + "/settings/internet-access");
		assertThat(text(By.id("force-tls"))).contains("disabled");

		this.browser.findElement(By.cssSelector("#force-tls button")).click();

		awaitText(By.cssSelector(".notice"), "Forced TLS is being enabled on every node");
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			open("/dashboard/databases/" + id + "/settings/internet-access");
			return text(By.id("force-tls")).contains("enabled") && text(By.cssSelector("#force-tls button")).equals("Disable");
		});
		open("/dashboard/databases/" + id);
		assertThat(text(By.id("env"))).contains("REDIS_URL=rediss://" + id + ":");
		open("/dashboard/databases/" + id + "/settings/internet-access");
		this.browser.findElement(By.linkText("Download CA certificate")).click();
		Path file = this.chromium.downloads().resolve("coffer-ca.pem");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Files.exists(file) && !Files.exists(file.resolveSibling("coffer-ca.pem.crdownload")));
		assertThat(Files.readString(file)).startsWith("-----BEGIN CERTIFICATE-----")
			.isEqualTo(operator().get("/api/v1/databases/" + id + "/ca-certificate").body());
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void changeThePlanOfAProvisionedDatabaseAfterConfirming() {
		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/settings");
		assertThat(text(By.id("plan"))).contains("A registered database has no plan to change");
		assertThat(this.browser.findElements(By.cssSelector("#plan form"))).isEmpty();

		var created = operator().post("/api/v1/databases", "{\"app\": \"" + this.app + "-plan\", \"plan\": \"redis-starter-256\"}");
		String id = created.text("id");
		await().atMost(Duration.ofSeconds(60)).until(() -> operator().get("/api/v1/databases/" + id).text("status"), "running"::equals);
		java.net.URI url = java.net.URI.create(operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString());
		signIn(created.text("token"));
		open("/dashboard/databases/" + id + "/settings");
		assertThat(text(By.id("plan"))).contains("Current plan: redis-starter-256");
		new org.openqa.selenium.support.ui.Select(this.browser.findElement(By.id("new-plan")))
			.selectByValue("redis-business-256");
		assertThat(text(By.cssSelector("#new-plan option[value='redis-business-256']")))
			.isEqualTo("redis-business-256 — 256 MB, primary + replica, 3 sentinels, 2 HAProxy");
		new org.openqa.selenium.support.ui.Select(this.browser.findElement(By.id("new-plan"))).selectByValue("redis-starter-512");
		this.browser.findElement(By.id("confirm-plan")).click();
		this.browser.findElement(By.cssSelector("#plan button[type=submit]")).click();

		awaitText(By.cssSelector(".notice"), "The database is moving to plan redis-starter-512");
		try (Jedis jedis = new Jedis(url)) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> jedis.configGet("maxmemory").get("maxmemory"), String.valueOf(512L * 1024 * 1024)::equals);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			open("/dashboard/databases/" + id + "/settings");
			return text(By.id("plan")).contains("Current plan: redis-starter-512");
		});
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void upgradeTheEngineAfterConfirmingTheDowntimeAndSeeWhyARegisteredDatabaseCannotBe() {
		signIn(this.token);
		open("/dashboard/databases/" + this.databaseId + "/settings");
		assertThat(text(By.id("version"))).contains("No upgrade available: a registered database");
		assertThat(this.browser.findElements(By.cssSelector("#version details.upgrade"))).isEmpty();

		ApiClient.Response created = operator().post("/api/v1/databases", "{\"app\": \"dashboard-engine-"
				+ UUID.randomUUID().toString().substring(0, 8) + "\", \"plan\": \"redis-starter-256\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = created.text("id");
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
			.until(() -> operator().get("/api/v1/databases/" + id).json().path("status").asString(), "running"::equals);
		signIn(created.text("token"));
		open("/dashboard/databases/" + id + "/settings");
		assertThat(text(By.cssSelector("#version .engine-version"))).isEqualTo(TestEngines.INSTALLED);
		assertThat(text(By.id("version"))).contains(TestEngines.NEXT_MAJOR + ": ")
			.contains("upgrade to " + TestEngines.NEXT + " first");
		String next = "#version details[data-version='" + TestEngines.NEXT + "'] ";
		this.browser.findElement(By.cssSelector(next + "summary")).click();
		assertThat(text(By.cssSelector(next + ".confirm-upgrade"))).contains("Expect downtime")
			.contains("No downgrade is possible");
		this.browser.findElement(By.cssSelector(next + "button.confirm")).click();

		awaitText(By.cssSelector(".notice"), "The upgrade to " + TestEngines.NEXT + " has started");
		assertThat(this.browser.findElements(By.xpath("//*[contains(text(), 'has started')]"))).as("said once").hasSize(1);
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
			.until(() -> operator().get("/api/v1/databases/" + id).json().path("version").asString(), TestEngines.NEXT::equals);
		open("/dashboard/databases/" + id + "/settings");
		assertThat(text(By.cssSelector("#version .engine-version"))).isEqualTo(TestEngines.NEXT);
		assertThat(text(By.cssSelector("#version .last-upgrade"))).contains("to " + TestEngines.NEXT).contains("done");
		assertThat(this.browser.findElements(By.cssSelector("#version details[data-version='" + TestEngines.NEXT_MAJOR + "']")))
			.hasSize(1);
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aRegisteredDatabasesPasswordIsNeverShownBack() {
		signIn(this.token);
		assertThat(text(By.id("env"))).contains("REDIS_URL=redis://127.0.0.1:" + this.redis.port())
			.doesNotContain(PASSWORD);
		assertThat(this.browser.findElements(By.id("show-password"))).isEmpty();
		assertThat(text(By.tagName("main"))).contains("not shown here");
		// CPU comes from the node itself; swap and disk only from nodes Coffer runs, and this one it does not
		assertThat(text(By.id("cpu"))).matches("\\d+\\.\\d % of a core on average, \\d+\\.\\d s in .+");
		assertThat(text(By.id("swap"))).isEqualTo("not known: Coffer does not run this node");
		assertThat(text(By.id("disk"))).isEqualTo("not known: Coffer does not run this node");
	}

	@Test
	void theOverviewShowsTheContainerStatsOfANodeCofferDoesNotRunAndTheirChart() {
		signIn(this.token);
		awaitUsageCharts("/dashboard/databases/" + this.databaseId);
		assertThat(text(By.id("cpu-now"))).matches("\\d+\\.\\d % of a core");
		assertThat(text(By.id("container-memory"))).matches("current .+ (KiB|MiB), highest .+ (KiB|MiB), free no limit");
		assertThat(text(By.id("container-swap"))).isEqualTo("not known: Coffer does not run this node");
		assertThat(text(By.id("container"))).contains("From the node's INFO");
		assertThat(this.browser.findElements(By.cssSelector("#usage-charts figcaption")).stream().map(WebElement::getText))
			.containsExactly("CPU usage", "Memory usage");
		assertThat(this.browser.findElement(By.cssSelector("#usage-charts svg[aria-label='Memory usage of the last hour'] polyline"))
			.getAttribute("points")).matches("[0-9.]+,[0-9.]+( [0-9.]+,[0-9.]+)+");
	}

	@Test
	void theOverviewShowsTheContainerStatsOfANodeCofferRunsFromItsProcess() {
		Provisioned database = provision("dashboard-stats-" + UUID.randomUUID().toString().substring(0, 8),
				"redis-starter-256");
		try {
			signIn(database.token());
			awaitUsageCharts("/dashboard/databases/" + database.id());
			assertThat(text(By.id("cpu-now"))).matches("\\d+\\.\\d % of a core");
			assertThat(text(By.id("container-memory"))).matches("current .+ MiB, highest .+ MiB, free .+ MiB");
			assertThat(text(By.id("container-swap"))).matches("current \\d+ B, highest \\d+ B, free .+");
			assertThat(text(By.id("container"))).contains("From the node's process");
		}
		finally {
			operator().delete("/api/v1/databases/" + database.id() + "?final_backup=false");
		}
	}

	/** Opens the Overview until its chart of the last hour has the samples CPU usage needs (two). */
	private void awaitUsageCharts(String overview) {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			open(overview);
			return this.browser.findElements(By.cssSelector("#usage-charts figure")).size() == 2;
		});
	}

	@Test
	void theSessionCookieIsHttpOnlyAndStrictAndChangesAtSignIn() throws Exception {
		HttpResponse<String> page = get("/dashboard/sign-in", null);
		String before = Cookies.setBy(page).orElse(null);
		Matcher csrf = CSRF_FIELD.matcher(page.body());
		assertThat(csrf.find()).isTrue();
		HttpResponse<String> signedIn = post("/dashboard/sign-in", before, "token="
				+ URLEncoder.encode(this.token, StandardCharsets.UTF_8) + "&_csrf="
				+ URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8));
		assertThat(signedIn.statusCode()).isEqualTo(302);
		assertThat(signedIn.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/dashboard"));
		String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie).startsWith("coffer_session=").contains("HttpOnly").contains("SameSite=Strict")
			// served over plain HTTP here; Tomcat adds Secure over TLS
			.doesNotContain("Secure");
		assertThat(Cookies.setBy(signedIn).orElse(null)).as("a new session id at sign-in").isNotEqualTo(before);
	}

	@Test
	void theRecoverableWindowWithItsGapThenRestoreToATimeAfterConfirmingAndTurnItOnAndOff() throws Exception {
		try (RedisServerProcess archived = RedisServerProcess.startWithPassword(PASSWORD)) {
			ApiClient.Response created = registerDatabase("dashboard-pitr-" + UUID.randomUUID().toString().substring(0, 6),
					PASSWORD, "stream", archived.port());
			String db = created.text("id");
			String dbApp = created.json().path("app").asString();
			// a window of ten minutes archived, with a gap from its 200th to its 300th second
			Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
			this.pitr.setEnabled(db, false);
			this.pitr.insertSegment(new PitrRepository.Segment(0, db, "h1", 1001, 1100, from, from.plusSeconds(200), 3,
					PitrRepository.OBJECT_PREFIX + db + "/h1/1001.seg.enc", 7, "0".repeat(64), "k1"));
			this.pitr.insertSegment(new PitrRepository.Segment(0, db, "h2", 1001, 1100, from.plusSeconds(300),
					from.plusSeconds(600), 3, PitrRepository.OBJECT_PREFIX + db + "/h2/1001.seg.enc", 7, "0".repeat(64), "k1"));
			this.pitr.insertGap(db, new PitrRepository.Gap(from.plusSeconds(200), from.plusSeconds(300),
					"the node restarted empty", null));
			signIn(created.text("token"));
			Formats formats = new Formats(java.time.Clock.systemUTC());

			open("/dashboard/databases/" + db + "/backups");
			assertThat(text(By.id("pitr-state"))).isEqualTo("off");
			assertThat(text(By.id("pitr-from"))).isEqualTo(formats.dateTime(from));
			assertThat(text(By.id("pitr-to"))).isEqualTo(formats.dateTime(from.plusSeconds(600)));
			List<WebElement> gaps = this.browser.findElements(By.cssSelector("#pitr-timeline rect.gap"));
			assertThat(gaps).hasSize(1);
			assertThat(gaps.get(0).getAttribute("x")).isEqualTo("333");
			assertThat(gaps.get(0).getAttribute("width")).isEqualTo("167");
			assertThat(text(By.cssSelector("#pitr-timeline li.pitr-gap"))).contains("the node restarted empty")
				.contains(formats.dateTime(from.plusSeconds(200)));

			// restore to a time in the gap: the page asks first, then posts the time and shows the API's answer
			Instant at = from.plusSeconds(250).plusMillis(125);
			WebElement picker = this.browser.findElement(By.id("restore-at-time"));
			((org.openqa.selenium.JavascriptExecutor) this.browser).executeScript("arguments[0].value = arguments[1];",
					picker, java.time.LocalDateTime.ofInstant(at, java.time.ZoneOffset.UTC).toString());
			this.browser.findElement(By.id("restore-at")).click();
			assertThat(text(By.id("confirm-restore-at"))).contains(dbApp).contains(db).contains(formats.preciseTime(at));
			assertThat(text(By.id("restore-node"))).isEqualTo("127.0.0.1:" + archived.port());
			this.browser.findElement(By.id("confirm")).click();
			awaitUrlEndingWith("/dashboard/databases/" + db + "/backups#pitr");
			ApiClient.Response api = withToken(created.text("token")).post("/api/v1/databases/" + db + "/restores",
					"{\"at\": \"" + at + "\", \"target\": \"in_place\"}");
			assertThat(api.status()).as(api.body()).isBetween(400, 499);
			String message = api.text("message");
			assertThat(text(By.cssSelector("p.problem")))
				.isEqualTo(Character.toUpperCase(message.charAt(0)) + message.substring(1) + (message.endsWith(".") ? "" : "."));

			// on, then off again
			this.browser.findElement(By.id("pitr-toggle")).click();
			awaitText(By.id("pitr-state"), "on");
			assertThat(withToken(created.text("token")).get("/api/v1/databases/" + db + "/pitr").json()
				.path("enabled").asBoolean()).isTrue();
			this.browser.findElement(By.id("pitr-toggle")).click();
			awaitText(By.id("pitr-state"), "off");
			assertThat(withToken(created.text("token")).get("/api/v1/databases/" + db + "/pitr").json()
				.path("enabled").asBoolean(true)).isFalse();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.pitr.find(db).map((archiver) -> archiver.owner() == null).orElse(true));
		}
	}

	private void signIn(String token) {
		open("/dashboard/sign-in");
		this.browser.manage().deleteAllCookies();
		open("/dashboard/sign-in");
		this.browser.findElement(By.id("token")).sendKeys(token);
		this.browser.findElement(By.cssSelector("main form button[type=submit]")).click();
		// signed in (a page of the dashboard) or refused (?error): either way, no longer the bare form
		new WebDriverWait(this.browser, Duration.ofSeconds(30))
			.until((driver) -> !driver.getCurrentUrl().endsWith("/dashboard/sign-in"));
	}

	private void awaitUrlEndingWith(String end) {
		new WebDriverWait(this.browser, Duration.ofSeconds(30)).until((driver) -> driver.getCurrentUrl().endsWith(end));
	}

	/** Waits for a fresh page's element: after a form's post, the old page may still be showing. */
	private void awaitText(By by, String start) {
		// Chromium reports an element of a page being replaced either as stale or, at times, as a node
		// that "does not belong to the document": both mean "look again"
		new WebDriverWait(this.browser, Duration.ofSeconds(30)).ignoring(WebDriverException.class)
			.until((driver) -> driver.findElements(by).stream().anyMatch((element) -> element.getText().startsWith(start)));
	}

	private void open(String path) {
		this.browser.get(url(path));
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private String text(By by) {
		return new WebDriverWait(this.browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
			.ignoring(WebDriverException.class)
			.until((driver) -> driver.findElement(by).getText());
	}

	private void markPage() {
		((org.openqa.selenium.JavascriptExecutor) this.browser).executeScript("window.cofferTestMark = true;");
	}

	private boolean pageMarked() {
		return Boolean.TRUE
			.equals(((org.openqa.selenium.JavascriptExecutor) this.browser).executeScript("return window.cofferTestMark === true;"));
	}

	private String sessionCookie() {
		Cookie cookie = this.browser.manage().getCookieNamed("coffer_session");
		assertThat(cookie).as("the session cookie").isNotNull();
		assertThat(cookie.isHttpOnly()).isTrue();
		assertThat(cookie.getSameSite()).isEqualTo("Strict");
		return cookie.getName() + "=" + cookie.getValue();
	}

	private HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).header("Accept", "text/html");
		if (cookie != null) {
			request.header("Cookie", cookie);
		}
		return this.http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String cookie, String form) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
			.header("Accept", "text/html")
			.header("Content-Type", "application/x-www-form-urlencoded");
		if (cookie != null) {
			request.header("Cookie", cookie);
		}
		return this.http.send(request.POST(HttpRequest.BodyPublishers.ofString(form)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
