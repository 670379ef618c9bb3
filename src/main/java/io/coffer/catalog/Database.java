package io.coffer.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A Redis database that Coffer serves: registered (it existed before) or provisioned from a plan. */
public record Database(String id, String app, String plan, String kind, String status, String acquisitionMode,
		String sentinelMaster, boolean scheduleEnabled, Integer scheduleHourUtc, Instant createdAt,
		List<Node> nodes) {

	/** The nodes that hold data: neither sentinels nor HAProxy entry points. */
	public List<Node> redisNodes() {
		return this.nodes.stream()
			.filter((node) -> Node.PRIMARY.equals(node.role()) || Node.REPLICA.equals(node.role()))
			.toList();
	}

	/**
	 * The node the catalogue lists as primary, else the first data node. Roles move on failover: ask
	 * the sentinels or the nodes when it matters; this is for reading figures cheaply.
	 */
	public Optional<Node> listedPrimary() {
		List<Node> nodes = redisNodes();
		return nodes.stream().filter((node) -> Node.PRIMARY.equals(node.role())).findFirst()
			.or(() -> nodes.stream().findFirst());
	}

	public List<Node> sentinels() {
		return this.nodes.stream().filter((node) -> Node.SENTINEL.equals(node.role())).toList();
	}

	Database withNodes(List<Node> nodes) {
		return new Database(this.id, this.app, this.plan, this.kind, this.status, this.acquisitionMode,
				this.sentinelMaster, this.scheduleEnabled, this.scheduleHourUtc, this.createdAt, List.copyOf(nodes));
	}

	Database withNodesOf(Map<String, List<Node>> nodesByDatabase) {
		return withNodes(nodesByDatabase.getOrDefault(this.id, List.of()));
	}

	/** The number at the end of the id, as in {@code my-app-3030}: it ends every backup's file name. */
	public String number() {
		int dash = this.id.lastIndexOf('-');
		return (dash >= 0) ? this.id.substring(dash + 1) : this.id;
	}

}
