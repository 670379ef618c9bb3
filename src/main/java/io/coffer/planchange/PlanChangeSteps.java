package io.coffer.planchange;

import io.coffer.node.NodeDriver;
import io.coffer.provision.DatabaseProvisioning;

import io.coffer.node.DatabaseNodes;
import io.coffer.node.NodeDrivers;
import io.coffer.node.Plan;
import io.coffer.node.PlanCatalogue;
import io.coffer.provision.ProvisionSteps;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.Node;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.node.ProvisioningProperties;
import io.coffer.system.ServiceProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.FailoverParams;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What each step of {@code planChangeJob} does. The steps run in one order for every change and each
 * does nothing when the change does not need it: a business → starter change removes nodes before the
 * primary is resized, a starter → business change resizes the primary before its replica, sentinels and
 * HAProxy are added (so that they start with the new memory), a change within a family only resizes.
 * A change that fails is undone by {@link PlanChangeRollback}, with the nodes added and removed here.
 */
@Component
class PlanChangeSteps {

	private static final Logger log = LoggerFactory.getLogger(PlanChangeSteps.class);

	private final DatabaseRepository databases;

	private final ProvisioningRepository repository;

	private final PlanChangeRepository changes;

	private final DatabaseNodes nodes;

	private final NodeDrivers drivers;

	private final PlanCatalogue plans;

	private final ProvisionSteps provisionSteps;

	private final DatabaseEndpoints endpoints;

	private final RedisConnections redis;

	private final ApplicationEventPublisher events;

	private final ProvisioningProperties provisioning;

	private final ServiceProperties service;

	private final TransactionTemplate transaction;

	private final Clock clock;

	PlanChangeSteps(DatabaseRepository databases, ProvisioningRepository repository, PlanChangeRepository changes,
			DatabaseNodes nodes, NodeDrivers drivers, PlanCatalogue plans, ProvisionSteps provisionSteps,
			DatabaseEndpoints endpoints, RedisConnections redis, ApplicationEventPublisher events,
			ProvisioningProperties provisioning, ServiceProperties service, TransactionTemplate transaction,
			Clock clock) {
		this.databases = databases;
		this.repository = repository;
		this.changes = changes;
		this.nodes = nodes;
		this.drivers = drivers;
		this.plans = plans;
		this.provisionSteps = provisionSteps;
		this.endpoints = endpoints;
		this.redis = redis;
		this.events = events;
		this.provisioning = provisioning;
		this.service = service;
		this.transaction = transaction;
		this.clock = clock;
	}

	/**
	 * Step 1: the data must still fit the new plan (it may have grown since the request was accepted), and
	 * a change that removes the replica needs {@code redis-1} up and in sync, since it is the node kept,
	 * and exactly one primary: just after a failover the old primary says {@code master} until the sentinels
	 * turn it into a replica, and keeping it then would drop what was written to the new one. Nothing has
	 * changed yet when this fails.
	 */
	void prepare(long changeId) {
		PlanChangeRepository.PlanChange change = change(changeId);
		this.changes.running(changeId);
		Database database = database(change.databaseId());
		Plan to = plan(change.toPlan());
		long used = usedMemory(database);
		if (used > bytes(to)) {
			throw new IllegalStateException(PlanChanges.tooBig(database.id(), used, to));
		}
		if (removesNodes(change)) {
			ManagedNode kept = this.nodes.named(database.id(), DatabaseNodes.PRIMARY).orElseThrow();
			Map<String, String> replication = replication(kept, this.nodes.requirePassword(database.id()));
			if (!"master".equals(replication.get("role")) && !"up".equals(replication.get("master_link_status"))) {
				throw new IllegalStateException(kept.name() + " (" + kept.address() + "), the node a starter plan keeps, "
						+ "is not in sync with the primary: its link is " + replication.get("master_link_status"));
			}
			requireOnePrimary(database.id(), this.nodes.requirePassword(database.id()));
		}
	}

	/** The primary's {@code used_memory}, in bytes: what the new plan's {@code maxmemory} must hold. */
	long usedMemory(Database database) {
		RedisEndpoint primary = this.endpoints.primary(database);
		return this.redis.call(primary,
				(jedis) -> Long.parseLong(RedisInfo.fields(jedis.info("memory")).getOrDefault("used_memory", "0")));
	}

	/**
	 * Step 2 (business → starter): sentinels first, so that none fails over while the topology shrinks;
	 * then {@code redis-1} is made primary if it is not (a coordinated {@code FAILOVER}: the primary pauses
	 * its writers until the replica has every write, so nothing is lost); then HAProxy, which routed to it
	 * meanwhile; the replica last.
	 */
	void removeNodes(long changeId) {
		PlanChangeRepository.PlanChange change = change(changeId);
		if (!removesNodes(change)) {
			return;
		}
		String databaseId = change.databaseId();
		String password = this.nodes.requirePassword(databaseId);
		for (ManagedNode sentinel : this.nodes.ofKind(databaseId, ManagedNode.DriverData.SENTINEL)) {
			remove(sentinel, password);
		}
		ManagedNode kept = this.nodes.named(databaseId, DatabaseNodes.PRIMARY).orElseThrow();
		List<ManagedNode> others = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS)
			.stream()
			.filter((node) -> node.id() != kept.id())
			.toList();
		// a failover the sentinels began just before they were removed may have left two primaries
		requireOnePrimary(databaseId, password);
		if (!"master".equals(replication(kept, password).get("role"))) {
			failOverTo(kept, others, password);
		}
		this.repository.updateRole(kept.id(), Node.PRIMARY);
		this.redis.call(endpoint(kept, password), Jedis::configRewrite);
		for (ManagedNode proxy : this.nodes.ofKind(databaseId, ManagedNode.DriverData.HAPROXY)) {
			remove(proxy, password);
		}
		for (ManagedNode replica : others) {
			remove(replica, password);
		}
		log.info("{} keeps {} alone: its replica, sentinels and HAProxy are removed", databaseId, kept.address());
	}

	private void requireOnePrimary(String databaseId, String password) {
		List<String> primaries = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS)
			.stream()
			.filter((node) -> "master".equals(replication(node, password).get("role")))
			.map(ManagedNode::name)
			.toList();
		if (primaries.size() != 1) {
			throw new IllegalStateException("the data nodes of " + databaseId + " do not agree on a primary ("
					+ (primaries.isEmpty() ? "none says it is" : String.join(" and ", primaries) + " say they are")
					+ "): a failover is under way; change the plan once it is over");
		}
	}

	private void failOverTo(ManagedNode kept, List<ManagedNode> others, String password) {
		ManagedNode primary = others.stream()
			.filter((node) -> "master".equals(replication(node, password).get("role")))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no data node of " + kept.databaseId() + " says it is primary"));
		long timeout = this.provisioning.startTimeout().toMillis();
		this.redis.call(endpoint(primary, password),
				(jedis) -> jedis.failover(FailoverParams.failoverParams().to(kept.host(), kept.port()).timeout(timeout)));
		this.provisionSteps.await(kept.name() + " of " + kept.databaseId() + " to take over from " + primary.name(),
				() -> "master".equals(replication(kept, password).get("role"))
						&& "no-failover".equals(replication(primary, password).get("master_failover_state")));
		log.info("{} of {} is primary again: it is the node a starter plan keeps", kept.name(), kept.databaseId());
	}

	/**
	 * Step 3: the new plan's memory on every data node, set live, written to each node's file so that a
	 * restart keeps it, and read back. Nothing restarts: within a family, connections stay.
	 */
	void resize(long changeId) {
		PlanChangeRepository.PlanChange change = change(changeId);
		setMaxmemory(change.databaseId(), bytes(plan(change.toPlan())));
	}

	void setMaxmemory(String databaseId, long bytes) {
		String password = this.nodes.requirePassword(databaseId);
		for (ManagedNode node : this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS)) {
			String running = this.redis.call(endpoint(node, password), (jedis) -> {
				jedis.configSet("maxmemory", String.valueOf(bytes));
				// a node claimed from a pool may run without a file: there is nothing to rewrite then
				if (!RedisInfo.fields(jedis.info("server")).getOrDefault("config_file", "").isBlank()) {
					jedis.configRewrite();
				}
				return jedis.configGet("maxmemory").get("maxmemory");
			});
			if (!String.valueOf(bytes).equals(running)) {
				throw new IllegalStateException(node.name() + " of " + databaseId + " (" + node.address()
						+ ") kept maxmemory " + running + " instead of " + bytes);
			}
			this.drivers.of(node).resize(node, bytes);
		}
	}

	/**
	 * Step 4 (starter → business): the nodes a business plan has and the database lacks are reserved and
	 * recorded, then started the way provisioning starts them: the replica until it is in sync with the
	 * primary, the sentinels until they know each other, HAProxy until it routes to the primary.
	 */
	void addNodes(long changeId) {
		PlanChangeRepository.PlanChange change = change(changeId);
		Plan to = plan(change.toPlan());
		if (!addsNodes(change)) {
			return;
		}
		String databaseId = change.databaseId();
		reserve(databaseId, missing(databaseId, to));
		this.provisionSteps.startReplicas(databaseId, to.memoryMb());
		this.provisionSteps.startSentinels(databaseId);
		this.provisionSteps.startProxies(databaseId);
		log.info("{} now has a replica, sentinels and HAProxy", databaseId);
	}

	/**
	 * Step 5: REDIS_URL answers; the catalogue takes the new plan (and the sentinels' master name, which
	 * backups ask for the primary), the database is running again and the change done, in one transaction:
	 * a failure or a stop in between cannot leave a completed change to be undone. Then the platform is
	 * told, with the connection variables as they are now.
	 */
	void finish(long changeId) {
		PlanChangeRepository.PlanChange change = change(changeId);
		String databaseId = change.databaseId();
		this.provisionSteps.awaitEntryPoint(databaseId);
		Plan to = plan(change.toPlan());
		this.transaction.executeWithoutResult((status) -> {
			if (!this.changes.done(changeId, this.clock.instant())) {
				throw new IllegalStateException("plan change " + changeId + " of " + databaseId
						+ " was settled as failed meanwhile");
			}
			this.changes.changePlan(databaseId, to.name(), to.highlyAvailable() ? databaseId : null);
			this.repository.changeStatus(databaseId, DatabaseStatus.UPDATING, DatabaseStatus.RUNNING, null);
			this.provisionSteps.applyPlanDefaults(databaseId, to);
		});
		Database database = database(databaseId);
		String url = this.nodes.redisUrl(databaseId).orElseThrow();
		Map<String, String> env = new LinkedHashMap<>();
		env.put("REDIS_URL", url);
		env.put(this.service.platformPrefix() + "_REDIS_URL", url);
		this.events.publishEvent(new PlanChanged(databaseId, database.app(), change.fromPlan(), to.name(), env,
				this.clock.instant()));
		log.info("Database {} moved from {} to {}", databaseId, change.fromPlan(), to.name());
	}

	/** The nodes the plan has and the database lacks, by name. */
	List<String> missing(String databaseId, Plan plan) {
		Set<String> existing = Set.copyOf(this.nodes.all(databaseId).stream().map(ManagedNode::name).toList());
		return DatabaseProvisioning.nodeNames(plan).stream().filter((name) -> !existing.contains(name)).toList();
	}

	/** Reserves and records the named nodes, with the primary's driver; they start later. */
	void reserve(String databaseId, List<String> names) {
		ManagedNode primary = this.nodes.named(databaseId, DatabaseNodes.PRIMARY).orElseThrow();
		NodeDriver driver = this.drivers.of(primary);
		for (String name : names) {
			NodeDriver.Reservation reservation = driver.reserve(databaseId, name, DatabaseProvisioning.kindOf(name));
			this.repository.addNode(databaseId, DatabaseNodes.roleOf(name), reservation.host(), reservation.port(),
					reservation.data());
		}
	}

	/** Business → starter: the replica, sentinels and HAProxy go. */
	boolean removesNodes(PlanChangeRepository.PlanChange change) {
		return plan(change.fromPlan()).highlyAvailable() && !plan(change.toPlan()).highlyAvailable();
	}

	/** Starter → business: a replica, sentinels and HAProxy come. */
	boolean addsNodes(PlanChangeRepository.PlanChange change) {
		return !plan(change.fromPlan()).highlyAvailable() && plan(change.toPlan()).highlyAvailable();
	}

	void remove(ManagedNode node, String password) {
		this.drivers.of(node).remove(node, password);
		this.repository.removeNode(node.id());
	}

	Map<String, String> replication(ManagedNode node, String password) {
		return this.redis.call(endpoint(node, password), (jedis) -> RedisInfo.fields(jedis.info("replication")));
	}

	private RedisEndpoint endpoint(ManagedNode node, String password) {
		return this.nodes.endpoint(node, password);
	}

	static long bytes(Plan plan) {
		return plan.memoryMb() * 1024L * 1024L;
	}

	PlanChangeRepository.PlanChange change(long changeId) {
		return this.changes.find(changeId)
			.orElseThrow(() -> new IllegalStateException("plan change " + changeId + " is not recorded"));
	}

	private Database database(String databaseId) {
		return this.databases.findLive(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " no longer exists"));
	}

	Plan plan(String name) {
		return this.plans.find(name).orElseThrow(() -> new IllegalStateException("plan " + name + " is no longer offered"));
	}

}
