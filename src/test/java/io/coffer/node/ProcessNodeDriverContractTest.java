package io.coffer.node;

import java.util.Optional;

import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.redis.TlsTrust;
import io.coffer.system.ServiceProperties;
import io.coffer.testsupport.ProvisionedDatabases;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/** The driver contract, for nodes run as processes of this machine. */
class ProcessNodeDriverContractTest extends NodeDriverContract<ProcessNodeDriver> {

	@Override
	String driverName() {
		return ProcessNodeDriver.NAME;
	}

	@Override
	ProcessNodeDriver newDriver(ServiceProperties service, ProvisioningProperties settings,
			ProvisioningRepository repository, ServerPrograms engines, TlsTrust authority) {
		return new ProcessNodeDriver(service, settings, repository, engines, authority);
	}

	@Override
	boolean findsAgain(ProcessNodeDriver driver, ManagedNode node) {
		return driver.runningPid(node, PASSWORD).isPresent();
	}

	@Override
	Optional<ProcessFigures> figures(ProcessNodeDriver driver, ManagedNode node) {
		return ProcessFigures.of(driver.runningPid(node, PASSWORD).orElseThrow());
	}

	@Override
	void assertResized(ProcessNodeDriver driver, ManagedNode node, long maxmemoryBytes) {
		// a process has no room of its own: maxmemory is all there is
		try (Jedis redis = ProvisionedDatabases.connect(node.port(), PASSWORD)) {
			assertThat(redis.configGet("maxmemory").get("maxmemory")).isEqualTo(String.valueOf(maxmemoryBytes));
		}
	}

}
