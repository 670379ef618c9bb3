package io.coffer.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.coffer.storage.EmbeddedS3Server;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The real services every integration test of this JVM shares: a fresh PostgreSQL database and an
 * S3 server (S3Proxy) over a temporary folder. Redis processes are per test class (see
 * {@link RedisServerProcess}).
 */
public final class CofferTestServices {

	public static final String ADMIN_TOKEN = "test-operator-token";

	public static final String BUCKET = "coffer-test";

	private static volatile CofferTestServices instance;

	private final TestDatabase database;

	private final EmbeddedS3Server s3;

	private final Path workFolder;

	private CofferTestServices() throws IOException {
		this.workFolder = Files.createTempDirectory("coffer-test");
		this.database = TestDatabase.get();
		this.s3 = new EmbeddedS3Server(this.workFolder.resolve("objects"), 0, "test-access", "test-secret-key")
			.start();
		Runtime.getRuntime().addShutdownHook(new Thread(this.s3::close));
		// the nodes of provisioned databases outlive Coffer by design; a test that failed before deleting its
		// database must not leave them running after the suite
		Runtime.getRuntime().addShutdownHook(new Thread(() -> killProcessesUnder(this.workFolder)));
	}

	/** Kills every process running in {@code folder} or below it: nodes the process driver started there. */
	public static void killProcessesUnder(Path folder) {
		ProcessHandle.allProcesses().forEach((process) -> {
			try {
				Path cwd = Files.readSymbolicLink(Path.of("/proc", String.valueOf(process.pid()), "cwd"));
				if (cwd.startsWith(folder)) {
					process.destroyForcibly();
				}
			}
			catch (IOException | UnsupportedOperationException ex) {
				// gone meanwhile, or not ours to look at
			}
		});
	}

	public static synchronized CofferTestServices get() {
		if (instance == null) {
			try {
				instance = new CofferTestServices();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return instance;
	}

	public TestDatabase database() {
		return this.database;
	}

	public EmbeddedS3Server s3() {
		return this.s3;
	}

	public Path workFolder() {
		return this.workFolder;
	}

	/** Points a Spring context at these services, with nothing embedded of its own. */
	public void register(DynamicPropertyRegistry registry) {
		registry.add("coffer.data-dir", () -> this.workFolder.resolve("data").toString());
		registry.add("coffer.keyring", () -> keyring().toString());
		registry.add("coffer.database.url", this.database::jdbcUrl);
		registry.add("coffer.database.username", this.database::username);
		// several contexts of the suite live at once against one PostgreSQL
		registry.add("coffer.database.pool-size", () -> "6");
		registry.add("coffer.s3.endpoint", this.s3::endpoint);
		registry.add("coffer.s3.access-key", this.s3::accessKey);
		registry.add("coffer.s3.secret-key", this.s3::secretKey);
		registry.add("coffer.s3.bucket", () -> BUCKET);
		registry.add("coffer.s3.part-size", () -> String.valueOf(5 * 1024 * 1024));
		registry.add("coffer.security.admin-token", () -> ADMIN_TOKEN);
		// A database registered by a test must not back itself up on its own because the suite runs
		// in its nightly window; the tests of schedules switch them on.
		registry.add("coffer.schedule.default-enabled", () -> "false");
		// the container stats (CPU usage now, the chart) have their samples within seconds
		registry.add("coffer.stats.sample-interval", () -> "1s");
		// point-in-time archivers seal and upload their segments within seconds
		registry.add("coffer.pitr.upload-interval", () -> "2s");
		// provisioned business databases fail over, and dead nodes come back, within seconds
		registry.add("coffer.provisioning.sentinel-down-after", () -> "1s");
		registry.add("coffer.provisioning.sentinel-failover-timeout", () -> "5s");
		registry.add("coffer.provisioning.haproxy-check-interval", () -> "200ms");
		registry.add("coffer.provisioning.supervise-interval", () -> "500ms");
		// engine versions to upgrade to, all run by the one redis-server installed (see TestEngines)
		registry.add("coffer.engines-file", () -> TestEngines.file(this.workFolder).toString());
	}

	/**
	 * The same settings as {@link #register} as command-line arguments ({@code --name=value}, which
	 * win over application.yml), for tests that start their own instances of the service with
	 * {@code SpringApplicationBuilder}.
	 */
	public java.util.List<String> arguments() {
		java.util.List<String> arguments = new java.util.ArrayList<>();
		register((name, value) -> arguments.add("--" + name + "=" + value.get()));
		return arguments;
	}

	/** The keyring the tests' service uses, made once per run. */
	public synchronized Path keyring() {
		Path file = this.workFolder.resolve("keyring");
		if (!Files.exists(file)) {
			try {
				io.coffer.crypto.Keyring.generate(file);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return file;
	}

}
