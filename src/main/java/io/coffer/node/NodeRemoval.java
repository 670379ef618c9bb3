package io.coffer.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.coffer.catalog.ManagedNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/** Stops and removes every node of a database: after a failed provisioning, and on deletion. */
@Component
public class NodeRemoval {

	private static final Logger log = LoggerFactory.getLogger(NodeRemoval.class);

	private final DatabaseNodes nodes;

	private final NodeDrivers drivers;

	NodeRemoval(DatabaseNodes nodes, NodeDrivers drivers) {
		this.nodes = nodes;
		this.drivers = drivers;
	}

	/**
	 * Removes the nodes in the reverse order of their making: entry points and sentinels go first, so
	 * that no failover starts while the data nodes stop.
	 * @return what could not be removed, one sentence per node
	 */
	public List<String> removeAll(String databaseId) {
		String password = this.nodes.password(databaseId).orElse(null);
		List<ManagedNode> all = new ArrayList<>(this.nodes.all(databaseId));
		Collections.reverse(all);
		List<String> failures = new ArrayList<>();
		for (ManagedNode node : all) {
			try {
				this.drivers.of(node).remove(node, password);
			}
			catch (RuntimeException ex) {
				log.warn("Could not remove {}", ProcessNodeDriver.describe(node), ex);
				failures.add(node.name() + ": " + ex.getMessage());
			}
		}
		return failures;
	}

}
