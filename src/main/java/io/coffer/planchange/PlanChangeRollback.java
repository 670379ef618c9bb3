package io.coffer.planchange;

import io.coffer.provision.DatabaseProvisioning;

import io.coffer.node.DatabaseNodes;
import io.coffer.node.Plan;
import io.coffer.provision.ProvisionSteps;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.Node;
import io.coffer.catalog.ProvisioningRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

import org.springframework.stereotype.Component;

/**
 * What a failed plan change undoes, so that the database runs on its old plan again, and what it says
 * when that cannot be done. It adds and removes nodes as the change's steps do ({@link PlanChangeSteps}).
 */
@Component
class PlanChangeRollback {

	private static final Logger log = LoggerFactory.getLogger(PlanChangeRollback.class);

	private final PlanChangeSteps steps;

	private final ProvisioningRepository repository;

	private final DatabaseNodes nodes;

	private final ProvisionSteps provisionSteps;

	private final RedisConnections redis;

	PlanChangeRollback(PlanChangeSteps steps, ProvisioningRepository repository, DatabaseNodes nodes,
			ProvisionSteps provisionSteps, RedisConnections redis) {
		this.steps = steps;
		this.repository = repository;
		this.nodes = nodes;
		this.provisionSteps = provisionSteps;
		this.redis = redis;
	}

	/**
	 * After a failed change: the nodes the change added are removed and the old memory set back, or the
	 * sentinels a business → starter change removed are started again (see {@link #restoreSentinels}), so
	 * that the database runs as it did. What was done is read from the nodes themselves, not from how far
	 * the job got. Answers what could not be undone, one sentence each.
	 */
	List<String> undo(PlanChangeRepository.PlanChange change) {
		if (this.steps.removesNodes(change)) {
			return restoreSentinels(change);
		}
		String databaseId = change.databaseId();
		Plan from = this.steps.plan(change.fromPlan());
		List<String> problems = new ArrayList<>();
		String password = this.nodes.password(databaseId).orElse(null);
		Set<String> kept = Set.copyOf(DatabaseProvisioning.nodeNames(from));
		List<ManagedNode> added = new ArrayList<>(this.nodes.all(databaseId)
			.stream()
			.filter((node) -> !kept.contains(node.name()))
			.toList());
		Collections.reverse(added);
		for (ManagedNode node : added) {
			try {
				this.steps.remove(node, password);
			}
			catch (RuntimeException ex) {
				problems.add(node.name() + " could not be removed: " + ex.getMessage());
			}
		}
		try {
			this.steps.setMaxmemory(databaseId, PlanChangeSteps.bytes(from));
		}
		catch (RuntimeException ex) {
			problems.add("the memory of " + from.name() + " could not be set back: " + ex.getMessage());
		}
		return problems;
	}

	/**
	 * A business → starter change that failed while both data nodes and HAProxy remain (typically the
	 * {@code FAILOVER} refused or timed out, after the sentinels were removed): a failover still under way
	 * is aborted, the catalogue takes the roles the nodes have, and the sentinels are started again,
	 * monitoring whichever node is primary now. REDIS_URL has not moved. Once HAProxy or the replica is
	 * gone, the business topology cannot come back without moving REDIS_URL: the answer says what remains.
	 */
	private List<String> restoreSentinels(PlanChangeRepository.PlanChange change) {
		String databaseId = change.databaseId();
		List<String> missing = this.steps.missing(databaseId, this.steps.plan(change.fromPlan()));
		if (missing.isEmpty()) {
			return List.of(); // it failed before removing anything: there is nothing to start again
		}
		if (missing.stream().anyMatch((name) -> !name.startsWith("sentinel"))) {
			return List.of(missing.stream().anyMatch((name) -> name.startsWith("redis")) ? notRestorable(databaseId,
					"its replica was removed") : notRestorable(databaseId, "its HAProxy was removed"));
		}
		String password = this.nodes.requirePassword(databaseId);
		List<ManagedNode> dataNodes = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS);
		ManagedNode primary;
		try {
			primary = settledPrimary(databaseId, dataNodes, password);
		}
		catch (RuntimeException ex) {
			return List.of(notRestorable(databaseId, "its data nodes cannot tell which is primary (" + ex.getMessage() + ")"));
		}
		for (ManagedNode node : dataNodes) {
			this.repository.updateRole(node.id(), (node.id() == primary.id()) ? Node.PRIMARY : Node.REPLICA);
		}
		try {
			// the sentinels left are removed too: all start again from one configuration and know each other
			for (ManagedNode sentinel : this.nodes.ofKind(databaseId, ManagedNode.DriverData.SENTINEL)) {
				this.steps.remove(sentinel, password);
			}
			this.steps.reserve(databaseId, DatabaseProvisioning.nodeNames(this.steps.plan(change.fromPlan()))
				.stream()
				.filter((name) -> name.startsWith("sentinel"))
				.toList());
			this.provisionSteps.startSentinels(databaseId, primary);
			this.provisionSteps.awaitEntryPoint(databaseId);
		}
		catch (RuntimeException ex) {
			return List.of("its sentinels could not be started again: " + ex.getMessage() + "; the database has "
					+ String.join(", ", this.nodes.all(databaseId).stream().map(ManagedNode::name).toList()));
		}
		log.info("{} has its sentinels again, monitoring {}: it runs on plan {}", databaseId, primary.name(),
				change.fromPlan());
		return List.of();
	}

	/** The data node that is primary once any failover under way is aborted: exactly one must say so. */
	private ManagedNode settledPrimary(String databaseId, List<ManagedNode> dataNodes, String password) {
		for (ManagedNode node : dataNodes) {
			if (!"no-failover".equals(this.steps.replication(node, password).getOrDefault("master_failover_state", "no-failover"))) {
				this.redis.call(endpoint(node, password), Jedis::failoverAbort);
			}
		}
		List<ManagedNode> primaries = new ArrayList<>();
		this.provisionSteps.await("one data node of " + databaseId + " to be primary", () -> {
			primaries.clear();
			for (ManagedNode node : dataNodes) {
				Map<String, String> replication = this.steps.replication(node, password);
				if ("master".equals(replication.get("role"))
						&& "no-failover".equals(replication.getOrDefault("master_failover_state", "no-failover"))) {
					primaries.add(node);
				}
			}
			return primaries.size() == 1;
		});
		return primaries.get(0);
	}

	/** Says what remains and what the operator can do: only deletion is possible from {@code error}. */
	private String notRestorable(String databaseId, String why) {
		List<ManagedNode> dataNodes = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS);
		return why + ", so its old plan cannot be set back; the database has "
				+ String.join(", ", this.nodes.all(databaseId).stream().map(ManagedNode::name).toList())
				+ "; its data is on " + String.join(", ", dataNodes.stream().map(ManagedNode::address).toList())
				+ ": copy it from there (e.g. redis-cli --rdb), then delete the database and load the copy into a new one";
	}

	private RedisEndpoint endpoint(ManagedNode node, String password) {
		return this.nodes.endpoint(node, password);
	}

}
