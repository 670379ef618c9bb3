package io.coffer.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.redis.TlsTrust;
import io.coffer.system.ServiceProperties;
import io.coffer.testsupport.ProvisionedDatabases;
import io.coffer.testsupport.TestDockerEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The driver contract, for nodes run in containers of a real container engine ({@code COFFER_TEST_DOCKER_HOST},
 * which {@code scripts/test} starts; skipped, saying why, only when no engine answers), and what only
 * containers have: the password nowhere the engine shows, labels, the memory limit, the restart policy
 * bringing a killed node back, the sweep.
 */
class DockerNodeDriverContractTest extends NodeDriverContract<DockerNodeDriver> {

	static final String HOST = TestDockerEngine.HOST;

	static final int HEADROOM_MB = 32;

	@BeforeAll
	static void engineAnswers() {
		TestDockerEngine.assumeAnswers();
	}

	@Override
	String driverName() {
		return DockerNodeDriver.NAME;
	}

	@Override
	DockerNodeDriver newDriver(ServiceProperties service, ProvisioningProperties settings,
			ProvisioningRepository repository, ServerPrograms engines, TlsTrust authority) {
		DockerProperties docker = new DockerProperties(HOST, HEADROOM_MB, "unless-stopped", "contract-test", 64, List.of());
		return new DockerNodeDriver(service, settings, docker, repository, engines, authority);
	}

	@Override
	boolean findsAgain(DockerNodeDriver driver, ManagedNode node) {
		return driver.isRunning(node, PASSWORD);
	}

	@Override
	Optional<ProcessFigures> figures(DockerNodeDriver driver, ManagedNode node) {
		return driver.figures(node);
	}

	@Override
	void assertResized(DockerNodeDriver driver, ManagedNode node, long maxmemoryBytes) {
		assertThat(container().getHostConfig().getMemory()).isEqualTo(maxmemoryBytes + HEADROOM_MB * 1024L * 1024);
	}

	private InspectContainerResponse container() {
		return this.driver.container(this.node).orElseThrow();
	}

	@Test
	void theContainerHasThePlansMemoryPlusHeadroomItsLabelsAndThePasswordNowhereTheEngineShows() throws IOException {
		InspectContainerResponse container = container();
		assertThat(container.getHostConfig().getMemory()).isEqualTo((MEMORY_MB + HEADROOM_MB) * 1024L * 1024);
		assertThat(container.getHostConfig().getNetworkMode()).isEqualTo("host");
		assertThat(container.getHostConfig().getRestartPolicy().getName()).isEqualTo("unless-stopped");
		assertThat(container.getConfig().getLabels()).containsEntry(DockerNodeDriver.DATABASE_LABEL, this.node.databaseId())
			.containsEntry(DockerNodeDriver.NODE_LABEL, this.node.name())
			.containsEntry(DockerNodeDriver.INSTANCE_LABEL, "contract-test")
			.containsEntry(DockerNodeDriver.MEMORY_LABEL, String.valueOf(MEMORY_MB));
		assertThat(container.getConfig().getImage()).startsWith("coffer/redis:");
		String shown = String.join(" ", container.getArgs()) + " " + container.getPath() + " "
				+ String.join(" ", Optional.ofNullable(container.getConfig().getEnv()).orElse(new String[0])) + " "
				+ String.join(" ", Optional.ofNullable(container.getConfig().getCmd()).orElse(new String[0]));
		assertThat(shown).doesNotContain(PASSWORD);
		Path folder = Path.of(this.node.driverData().dir());
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
		try (var files = Files.list(folder)) {
			for (Path file : files.toList()) {
				assertThat(Files.getOwner(file)).as(file.toString()).isEqualTo(Files.getOwner(folder));
				assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString())
					.doesNotContain("r--r").endsWith("---");
			}
		}
	}

	@Test
	void aNodeKilledFromOutsideComesBackByTheRestartPolicyWithItsData() {
		try (Jedis redis = ProvisionedDatabases.connect(this.node.port(), PASSWORD)) {
			redis.set("survivor", "yes");
			redis.save();
		}
		long pid = container().getState().getPidLong();
		assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
		await().atMost(Duration.ofSeconds(30)).until(() -> container().getRestartCount() > 0);
		String value = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			try (Jedis redis = ProvisionedDatabases.connect(this.node.port(), PASSWORD)) {
				return redis.get("survivor");
			}
		}, "yes"::equals);
		assertThat(value).isEqualTo("yes");
		assertThat(container().getState().getPidLong()).isNotEqualTo(pid);
	}

	@Test
	void theSweepRemovesTheContainersOfDatabasesNoLongerKeptOnly() {
		assertThat(this.driver.sweep(Set.of(this.node.databaseId()))).isEmpty();
		assertThat(this.driver.isRunning(this.node, PASSWORD)).isTrue();
		List<String> swept = this.driver.sweep(Set.of());
		assertThat(swept).hasSize(1).allMatch((name) -> name.contains(this.node.databaseId()));
		assertThat(this.driver.container(this.node)).isEmpty();
		assertThat(Path.of(this.node.driverData().dir())).doesNotExist();
	}

}
