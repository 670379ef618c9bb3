package io.coffer.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium driven through the system's chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}, which scripts/test installs), with a fresh profile and its own download
 * folder; both are removed on {@link #close()}. Override the binaries with {@code -Dchromium.binary}
 * and {@code -Dchromium.driver}.
 */
public final class Chromium implements AutoCloseable {

	private static final String BINARY = System.getProperty("chromium.binary", "/usr/bin/chromium");

	private static final String DRIVER = System.getProperty("chromium.driver", "/usr/bin/chromedriver");

	private final Path profile;

	private final Path downloads;

	private final ChromeDriver driver;

	private Chromium() throws IOException {
		this.profile = Files.createTempDirectory("coffer-chromium-profile-");
		this.downloads = Files.createTempDirectory("coffer-chromium-downloads-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(BINARY);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
				"--window-size=1280,1000", "--user-data-dir=" + this.profile);
		options.setExperimentalOption("prefs", Map.of("download.default_directory", this.downloads.toString(),
				"download.prompt_for_download", false, "safebrowsing.enabled", false));
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(service, options);
		this.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
		// headless Chromium keeps downloads only where the browser is told to, whatever the profile says
		this.driver.executeCdpCommand("Browser.setDownloadBehavior",
				Map.of("behavior", "allow", "downloadPath", this.downloads.toString(), "eventsEnabled", false));
	}

	public static Chromium start() {
		try {
			return new Chromium();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public ChromeDriver driver() {
		return this.driver;
	}

	public Path downloads() {
		return this.downloads;
	}

	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			delete(this.profile);
			delete(this.downloads);
		}
	}

	private static void delete(Path dir) {
		try (Stream<Path> files = Files.walk(dir)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// a temporary folder left behind is not worth failing a test for
		}
	}

}
