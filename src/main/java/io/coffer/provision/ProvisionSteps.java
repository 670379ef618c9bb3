package io.coffer.provision;

import io.coffer.node.NodeConfigFiles;
import io.coffer.node.ProcessNodeDriver;

import io.coffer.node.DatabaseNodes;
import io.coffer.node.NodeDrivers;
import io.coffer.node.NodeSetup;
import io.coffer.node.Plan;
import io.coffer.node.PlanCatalogue;
import io.coffer.tls.TlsSwitch;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.PitrRepository;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.node.ProvisioningProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * What each step of {@code provisionJob} does, top to bottom: data nodes, sentinels, HAProxy, a check
 * through REDIS_URL. Each node is recorded as soon as it runs, so that a failure removes exactly what
 * was started.
 */
@Component
public class ProvisionSteps {

	private static final Logger log = LoggerFactory.getLogger(ProvisionSteps.class);

	private final DatabaseRepository databases;

	private final ProvisioningRepository repository;

	private final DatabaseNodes nodes;

	private final NodeDrivers drivers;

	private final PlanCatalogue plans;

	private final RedisConnections redis;

	private final ProvisioningProperties settings;

	private final TlsSwitch tls;

	private final PitrRepository pitr;

	ProvisionSteps(DatabaseRepository databases, ProvisioningRepository repository, DatabaseNodes nodes,
			NodeDrivers drivers, PlanCatalogue plans, RedisConnections redis, ProvisioningProperties settings,
			TlsSwitch tls, PitrRepository pitr) {
		this.databases = databases;
		this.repository = repository;
		this.nodes = nodes;
		this.drivers = drivers;
		this.plans = plans;
		this.redis = redis;
		this.settings = settings;
		this.tls = tls;
		this.pitr = pitr;
	}

	/** Step 1: the primary, then each replica following it, until the replica is in sync. */
	void startDataNodes(String databaseId) {
		Database database = database(databaseId);
		Plan plan = plan(database);
		String password = this.nodes.requirePassword(databaseId);
		start(this.nodes.named(databaseId, DatabaseNodes.PRIMARY).orElseThrow(),
				new NodeSetup.Redis(databaseId, password, plan.memoryMb(), null));
		startReplicas(databaseId, plan.memoryMb());
	}

	/**
	 * Each replica the catalogue lists that is not running yet, following {@code redis-1}, until it is in
	 * sync: at provisioning, and when a plan change adds a replica to a running primary.
	 */
	public void startReplicas(String databaseId, int memoryMb) {
		String password = this.nodes.requirePassword(databaseId);
		ManagedNode primary = this.nodes.named(databaseId, DatabaseNodes.PRIMARY).orElseThrow();
		for (ManagedNode replica : this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS)) {
			if (replica.id() != primary.id()) {
				ManagedNode started = start(replica, new NodeSetup.Redis(databaseId, password, memoryMb, primary));
				RedisEndpoint endpoint = new RedisEndpoint(started.host(), started.port(), password,
						this.nodes.tls(databaseId));
				await(started.name() + " of " + databaseId + " to be in sync with the primary", () -> "up"
					.equals(replication(endpoint).get("master_link_status")));
			}
		}
	}

	/** Step 2 (business plans): sentinels monitoring the primary, until each knows the others and the replica. */
	public void startSentinels(String databaseId) {
		startSentinels(databaseId, this.nodes.named(databaseId, DatabaseNodes.PRIMARY).orElseThrow());
	}

	/** Sentinels monitoring the given data node: the primary of a database whose roles were swapped by a failover. */
	public void startSentinels(String databaseId, ManagedNode primary) {
		List<ManagedNode> sentinels = this.nodes.ofKind(databaseId, ManagedNode.DriverData.SENTINEL);
		if (sentinels.isEmpty()) {
			return;
		}
		String password = this.nodes.requirePassword(databaseId);
		int replicas = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS).size() - 1;
		for (ManagedNode sentinel : sentinels) {
			start(sentinel, new NodeSetup.Sentinel(databaseId, primary, password, this.settings.sentinelDownAfter(),
					this.settings.sentinelFailoverTimeout()));
		}
		// a sentinel that does not know its peers cannot gather a quorum: a failover would not happen
		for (ManagedNode sentinel : this.nodes.ofKind(databaseId, ManagedNode.DriverData.SENTINEL)) {
			RedisEndpoint endpoint = new RedisEndpoint(sentinel.host(), sentinel.port(), null, this.nodes.tls(databaseId));
			await(sentinel.name() + " of " + databaseId + " to know the other sentinels and the replica", () -> {
				Map<String, String> master = this.redis.call(endpoint, (jedis) -> jedis.sentinelMaster(databaseId));
				return Integer.parseInt(master.getOrDefault("num-other-sentinels", "0")) >= sentinels.size() - 1
						&& Integer.parseInt(master.getOrDefault("num-slaves", "0")) >= replicas;
			});
		}
	}

	/** Step 3 (business plans): the HAProxy leader and backup, until each routes to the primary. */
	public void startProxies(String databaseId) {
		List<ManagedNode> proxies = this.nodes.ofKind(databaseId, ManagedNode.DriverData.HAPROXY);
		if (proxies.isEmpty()) {
			return;
		}
		String password = this.nodes.requirePassword(databaseId);
		List<ManagedNode> dataNodes = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS);
		for (ManagedNode proxy : proxies) {
			ManagedNode started = start(proxy,
					new NodeSetup.Haproxy(dataNodes, password, this.settings.haproxyCheckInterval()));
			await(started.name() + " of " + databaseId + " to route to the primary",
					() -> "master".equals(replicationAsUser(started, databaseId, password).get("role")));
		}
	}

	/** Step 4: REDIS_URL answers as the database's user with the baseline; the database is running. */
	void verify(String databaseId) {
		ManagedNode entry = awaitEntryPoint(databaseId);
		// before it is said running, so that whoever sees it running sees what its plan turned on
		applyPlanDefaults(databaseId, plan(database(databaseId)));
		this.repository.changeStatus(databaseId, DatabaseStatus.PROVISIONING, DatabaseStatus.RUNNING, null);
		log.info("Database {} is running; its app connects to {}", databaseId, entry.address());
	}

	/**
	 * What the plan turns on by default and a user may have chosen otherwise: point-in-time recovery, once the
	 * database runs on the plan (at provisioning, at the end of a plan change).
	 */
	public void applyPlanDefaults(String databaseId, Plan plan) {
		if (this.pitr.applyPlanDefault(databaseId, plan.pitr())) {
			log.info("Database {}: point-in-time recovery {}, as plan {} has it", databaseId,
					plan.pitr() ? "on" : "off", plan.name());
		}
	}

	/** Waits until REDIS_URL answers as the database's own user with the baseline; answers where it points. */
	public ManagedNode awaitEntryPoint(String databaseId) {
		String password = this.nodes.requirePassword(databaseId);
		ManagedNode entry = this.nodes.entryPoint(databaseId).orElseThrow();
		// HAProxy may still be confirming its checks: a refused connection is tried again until the timeout
		RedisEndpoint asApp = this.nodes.endpoint(entry, password).withUser(databaseId);
		await("REDIS_URL (" + entry.address() + ") to answer as user " + databaseId, () -> {
			String databases = this.redis.call(asApp, (jedis) -> jedis.configGet("databases").get("databases"));
			if (!String.valueOf(NodeConfigFiles.BASELINE_DATABASES).equals(databases)) {
				throw new IllegalStateException("the database answers at " + entry.address() + " with " + databases
						+ " logical databases instead of " + NodeConfigFiles.BASELINE_DATABASES);
			}
			return true;
		});
		return entry;
	}

	/** Starts the node; with TLS when the database has it forced (a node added later serves it like the others). */
	private ManagedNode start(ManagedNode node, NodeSetup setup) {
		ManagedNode started = this.drivers.of(node).start(node, this.tls.withDatabaseTls(node.databaseId(), setup));
		this.repository.updateNode(started);
		return started;
	}

	private Map<String, String> replication(RedisEndpoint endpoint) {
		return this.redis.call(endpoint, (jedis) -> RedisInfo.fields(jedis.info("replication")));
	}

	/** What the entry point answers as the app connects: with the user name, and TLS when it is forced. */
	private Map<String, String> replicationAsUser(ManagedNode entry, String user, String password) {
		return replication(this.nodes.endpoint(entry, password).withUser(user));
	}

	/** Polls the condition until it holds, within {@code start-timeout}; the last error says why it did not. */
	public void await(String what, BooleanSupplier condition) {
		Duration timeout = this.settings.startTimeout();
		long deadline = System.nanoTime() + timeout.toNanos();
		RuntimeException last = null;
		while (System.nanoTime() < deadline) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (RuntimeException ex) {
				last = ex;
			}
			ProcessNodeDriver.pause(Duration.ofMillis(100));
		}
		throw new IllegalStateException("gave up waiting " + timeout.toSeconds() + " s for " + what
				+ ((last != null) ? " (last error: " + last.getMessage() + ")" : ""));
	}

	private Database database(String databaseId) {
		return this.databases.findLive(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " no longer exists"));
	}

	private Plan plan(Database database) {
		return this.plans.find(database.plan())
			.orElseThrow(() -> new IllegalStateException("plan " + database.plan() + " is no longer offered"));
	}

}
