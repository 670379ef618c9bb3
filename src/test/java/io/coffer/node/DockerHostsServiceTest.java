package io.coffer.node;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.model.Container;
import io.coffer.node.docker.DockerEngine;
import io.coffer.provision.ProvisioningTest;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.ServiceTest;
import io.coffer.testsupport.TestDockerEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The docker driver with two container engines of this machine ({@code COFFER_TEST_DOCKER_HOST} and
 * {@code COFFER_TEST_DOCKER_HOST_2}, each with its own socket and data root): a new database goes to the
 * engine with the most free memory, and a business database's nodes are spread over both, its primary and
 * its replica never on the same one. Skipped, saying why, when the two engines do not answer.
 */
@DirtiesContext // its own context: close it, and its engine clients, once done
class DockerHostsServiceTest extends ServiceTest {

	private static final String INSTANCE = "hosts-test-" + Long.toString(System.nanoTime(), 36);

	private static final List<String> ENGINES = java.util.stream.Stream.of(TestDockerEngine.HOST, TestDockerEngine.SECOND_HOST)
		.filter(java.util.Objects::nonNull)
		.toList();

	private static final Map<String, DockerEngine> clients = new LinkedHashMap<>();

	@BeforeAll
	static void enginesAnswer() {
		TestDockerEngine.assumeTwoAnswer();
		for (String endpoint : ENGINES) {
			clients.put(endpoint, new DockerEngine(endpoint));
		}
	}

	@AfterAll
	static void closeClients() throws IOException {
		for (DockerEngine client : clients.values()) {
			client.close();
		}
	}

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
		registry.add("coffer.provisioning.driver", () -> DockerNodeDriver.NAME);
		registry.add("coffer.provisioning.docker.hosts", () -> String.join(",", ENGINES));
		registry.add("coffer.provisioning.docker.instance", () -> INSTANCE);
		registry.add("coffer.provisioning.docker.memory-headroom-mb", () -> "32");
	}

	@Test
	void newDatabasesGoWhereMostMemoryIsFreeAndABusinessDatabaseIsSpreadOverBothEngines() {
		String first = mostFree();
		Provisioned starter = provision("hosts-starter-app", "redis-starter-256");
		assertThat(engineOf(starter.id(), DatabaseNodes.PRIMARY)).isEqualTo(first);
		// the first engine has now promised 256 MB + the headroom more than it did
		String second = mostFree();
		Provisioned another = provision("hosts-another-app", "redis-starter-256");
		assertThat(engineOf(another.id(), DatabaseNodes.PRIMARY)).isEqualTo(second);

		Provisioned business = provision("hosts-business-app", "redis-business-256");
		String id = business.id();
		String primary = engineOf(id, DatabaseNodes.PRIMARY);
		assertThat(engineOf(id, DatabaseNodes.REPLICA)).as("the replica's engine").isNotEqualTo(primary);
		assertThat(List.of(engineOf(id, "haproxy-leader"), engineOf(id, "haproxy-backup"))).containsExactlyInAnyOrderElementsOf(ENGINES);
		assertThat(List.of(engineOf(id, "sentinel-1"), engineOf(id, "sentinel-2"), engineOf(id, "sentinel-3")))
			.containsAll(ENGINES);
		try (Jedis jedis = ProvisioningTest.connect(business.url(), id, business.password())) {
			jedis.set("spread", "over two engines");
			assertThat(jedis.get("spread")).isEqualTo("over two engines");
		}

		for (Provisioned database : List.of(starter, another, business)) {
			ApiClient.Response deleted = operator().delete("/api/v1/databases/" + database.id() + "?final_backup=false");
			assertThat(deleted.status()).as(deleted.body()).isLessThan(300);
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> clients.values().stream()
			.allMatch((engine) -> engine.withLabels(Map.of(DockerNodeDriver.INSTANCE_LABEL, INSTANCE)).isEmpty()));
	}

	/** The engine whose memory less what Coffer's containers there may use is the largest; the first on a tie. */
	private static String mostFree() {
		String best = null;
		long bestFree = Long.MIN_VALUE;
		for (String endpoint : ENGINES) {
			DockerEngine engine = clients.get(endpoint);
			long promised = 0;
			for (Container container : engine.withLabel(DockerNodeDriver.INSTANCE_LABEL)) {
				promised += engine.inspect(container.getId()).orElseThrow().getHostConfig().getMemory();
			}
			long free = engine.memoryTotal() - promised;
			if (free > bestFree) {
				best = endpoint;
				bestFree = free;
			}
		}
		return best;
	}

	/** The engine the node's container runs on. */
	private static String engineOf(String databaseId, String node) {
		String name = "coffer-" + INSTANCE + "-" + databaseId + "-" + node;
		List<String> on = ENGINES.stream().filter((endpoint) -> clients.get(endpoint).inspect(name).isPresent()).toList();
		assertThat(on).as(name + " runs on one engine").hasSize(1);
		return on.get(0);
	}

}
