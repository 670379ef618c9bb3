package io.coffer.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.redis.TlsTrust;
import io.coffer.system.ServiceProperties;
import io.coffer.testsupport.ProvisionedDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

/**
 * What every driver that runs nodes itself does, whatever it runs them in: a data node it starts answers
 * with the database's password only, a driver made anew (as after a restart of Coffer) finds it again,
 * a resize keeps it serving with the new memory, its figures are readable, and its removal leaves nothing
 * answering and no folder. Each driver has a subclass that says how to ask it what the contract checks.
 */
abstract class NodeDriverContract<D extends NodeDriver> {

	static final String PASSWORD = "contract-password-" + Long.toString(System.nanoTime(), 36);

	static final int MEMORY_MB = 64;

	@TempDir
	Path dataDir;

	D driver;

	ManagedNode node;

	final ProvisioningRepository repository = mock(ProvisioningRepository.class);

	/** A driver as Coffer's context makes it, with the data folder and the settings given. */
	abstract D newDriver(ServiceProperties service, ProvisioningProperties settings, ProvisioningRepository repository,
			ServerPrograms engines, TlsTrust authority);

	/** Whether the driver finds the node running again, from what the catalogue recorded of it. */
	abstract boolean findsAgain(D driver, ManagedNode node);

	/** The figures the driver reads for the node (its process', its container's). */
	abstract Optional<ProcessFigures> figures(D driver, ManagedNode node);

	/** What the driver's own room for the node says of its memory after a resize, checked by the subclass. */
	abstract void assertResized(D driver, ManagedNode node, long maxmemoryBytes);

	@BeforeEach
	void startANode() {
		// the catalogue holds no port: the mock's empty set
		this.driver = newDriver();
		String database = "contract-" + Long.toString(System.nanoTime(), 36);
		NodeDriver.Reservation reservation = this.driver.reserve(database, DatabaseNodes.PRIMARY,
				ManagedNode.DriverData.REDIS);
		ManagedNode reserved = new ManagedNode(1, database, "primary", reservation.host(), reservation.port(),
				reservation.data());
		this.node = this.driver.start(reserved, new NodeSetup.Redis(database, PASSWORD, MEMORY_MB, null));
	}

	@AfterEach
	void removeTheNode() {
		if (this.node != null) {
			this.driver.remove(this.node, PASSWORD);
		}
	}

	D newDriver() {
		ServiceProperties service = new ServiceProperties(this.dataDir, "contract", "COFFER");
		ProvisioningProperties settings = new ProvisioningProperties(this.driverName(), "127.0.0.1", 21000, 29999,
				"redis-server", "haproxy", Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(1),
				Duration.ofSeconds(5), Duration.ofSeconds(60), "", "");
		ServerPrograms engines = new ServerPrograms() {
			@Override
			public void chooseFor(String databaseId) {
			}

			@Override
			public String redisServer(String databaseId, String nodeName) {
				return "redis-server";
			}
		};
		return newDriver(service, settings, this.repository, engines, mock(TlsTrust.class));
	}

	abstract String driverName();

	@Test
	void aStartedNodeAnswersWithThePasswordOnlyAndKeepsThePlansMemory() {
		try (Jedis redis = ProvisionedDatabases.connect(this.node.port(), PASSWORD)) {
			redis.set("contract", "kept");
			assertThat(redis.configGet("maxmemory").get("maxmemory")).isEqualTo(String.valueOf(MEMORY_MB * 1024L * 1024));
		}
		assertThatThrownBy(() -> ProvisionedDatabases.connect(this.node.port(), "not-" + PASSWORD).close())
			.isInstanceOf(JedisException.class);
	}

	@Test
	void aDriverMadeAnewFindsTheNodeAgain() {
		D again = newDriver();
		assertThat(findsAgain(again, this.node)).isTrue();
		ManagedNode other = this.node.with(this.node.port(), new ManagedNode.DriverData(driverName(), "redis-9",
				ManagedNode.DriverData.REDIS, this.dataDir.resolve("nodes/none/redis-9").toString(), null));
		assertThat(findsAgain(again, other)).as("a node that was never started").isFalse();
	}

	@Test
	void aResizedNodeKeepsServingWithTheNewMemory() {
		long bytes = 96L * 1024 * 1024;
		try (Jedis redis = ProvisionedDatabases.connect(this.node.port(), PASSWORD)) {
			redis.configSet("maxmemory", String.valueOf(bytes));
			this.driver.resize(this.node, bytes);
			assertThat(redis.ping()).isEqualTo("PONG");
		}
		assertResized(this.driver, this.node, bytes);
	}

	@Test
	void theNodesFiguresAreRead() {
		try (Jedis redis = ProvisionedDatabases.connect(this.node.port(), PASSWORD)) {
			redis.set("figures", "x".repeat(4 * 1024 * 1024));
			// a script that keeps the node's thread busy for a while: CPU time to count, in ticks of 10 ms
			redis.eval("local n = 0 for i = 1, 3000000 do n = n + i end return n", 0);
		}
		ProcessFigures figures = await().atMost(Duration.ofSeconds(30))
			.until(() -> figures(this.driver, this.node), Optional::isPresent)
			.orElseThrow();
		assertThat(figures.memory()).isGreaterThan(4L * 1024 * 1024);
		assertThat(figures.memoryHighest()).isGreaterThanOrEqualTo(figures.memory());
		assertThat(figures.cpuSeconds()).isGreaterThan(0);
		assertThat(figures.swap()).isNotNegative();
	}

	@Test
	void aRemovedNodeLeavesNothingAndRemovingAgainDoesNoHarm() {
		Path folder = Path.of(this.node.driverData().dir());
		assertThat(folder).isDirectory();
		this.driver.remove(this.node, PASSWORD);
		assertThat(findsAgain(this.driver, this.node)).isFalse();
		assertThatThrownBy(() -> ProvisionedDatabases.connect(this.node.port(), PASSWORD).close())
			.isInstanceOf(JedisException.class);
		assertThat(Files.exists(folder)).isFalse();
		this.driver.remove(this.node, PASSWORD);
		this.node = null;
	}

}
