package io.coffer.node;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.coffer.catalog.ManagedNode;

import org.springframework.stereotype.Component;

/** The driver new databases get (coffer.provisioning.driver), and the one each existing node was made by. */
@Component
public class NodeDrivers {

	private final Map<String, NodeDriver> drivers;

	private final String current;

	NodeDrivers(List<NodeDriver> drivers, ProvisioningProperties settings) {
		this.drivers = drivers.stream().collect(Collectors.toMap(NodeDriver::name, Function.identity()));
		this.current = settings.driver();
	}

	public NodeDriver current() {
		return this.drivers.get(this.current);
	}

	public NodeDriver of(ManagedNode node) {
		NodeDriver driver = this.drivers.get(node.driverData().driver());
		if (driver == null) {
			throw new IllegalStateException("node " + node.name() + " of " + node.databaseId()
					+ " was made by an unknown driver " + node.driverData().driver());
		}
		return driver;
	}

	/** How the node's driver stops and starts it again for an engine upgrade. */
	public DataNodeRestarts restartsOf(ManagedNode node) {
		if (of(node) instanceof DataNodeRestarts restarts) {
			return restarts;
		}
		throw new IllegalStateException("node " + node.name() + " of " + node.databaseId() + " runs where Coffer does "
				+ "not restart it (driver " + node.driverData().driver() + ")");
	}

}
