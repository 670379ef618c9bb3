package io.coffer.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.TlsTrust;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.DatabaseWork.Kind;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.Node;
import io.coffer.catalog.ProvisioningRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps the process driver's nodes up. At start-up and then every {@code supervise-interval}, each
 * node of a running database is looked for on its port: a process that runs from the node's own
 * configuration is adopted (its pid recorded if it changed), never started twice; a node that is gone
 * is started again from its folder.
 * <p>
 * A data node of a database with sentinels is not simply restarted as it was: a primary that came back
 * empty would be replicated to its replica. While the sentinels still name the dead node primary and
 * its replica is alive, the supervisor waits for them to fail over; then the node comes back as a
 * replica of the primary they name, and one the sentinels may not promote (priority 0) until it has
 * synchronised with it.
 * <p>
 * The docker driver's nodes are the engine's to restart (its restart policy); of them the supervisor only
 * records, after a failover, which data node is the primary now, as it does for processes.
 */
@Component
class NodeSupervisor implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(NodeSupervisor.class);

	/** Redis' default replica-priority: the sentinels may promote the node. */
	private static final String PROMOTABLE_PRIORITY = "100";

	private final ProvisioningRepository repository;

	private final DatabaseNodes nodes;

	private final ProcessNodeDriver driver;

	private final DatabaseLocks locks;

	private final DatabaseWork work;

	private final ProvisioningProperties settings;

	private final RedisConnections probe;

	// nodes whose files were made private to their owner since this instance started
	private final Set<Long> tightened = ConcurrentHashMap.newKeySet();

	private volatile ScheduledExecutorService executor;

	/** Rounds over every database done since the start: whoever waits for the supervisor to have looked counts them. */
	private final AtomicLong rounds = new AtomicLong();

	NodeSupervisor(ProvisioningRepository repository, DatabaseNodes nodes, ProcessNodeDriver driver,
			DatabaseLocks locks, DatabaseWork work, ProvisioningProperties settings, TlsTrust authority) {
		this.work = work;
		this.probe = new RedisConnections(Duration.ofSeconds(1), Duration.ofSeconds(2), authority::clientSocketFactory);
		this.repository = repository;
		this.nodes = nodes;
		this.driver = driver;
		this.locks = locks;
		this.settings = settings;
	}

	@Override
	public void start() {
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "node-supervisor");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.settings.superviseInterval().toMillis();
		this.executor.scheduleWithFixedDelay(this::superviseAll, 0, interval, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		// the nodes keep running: the next start of Coffer adopts them
		ScheduledExecutorService running = this.executor;
		if (running != null) {
			running.shutdownNow();
			try {
				running.awaitTermination(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.executor = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

	void superviseAll() {
		try {
			Set<String> databases = new LinkedHashSet<>();
			this.repository.runningNodes(ProcessNodeDriver.NAME).forEach((node) -> databases.add(node.databaseId()));
			for (String databaseId : databases) {
				if (Thread.currentThread().isInterrupted()) {
					return;
				}
				// a database whose nodes someone is changing (an upgrade, a deletion) is looked at next round
				this.locks.ifFree(databaseId, () -> supervise(databaseId));
			}
			Set<String> inContainers = new LinkedHashSet<>();
			this.repository.runningNodes(DockerNodeDriver.NAME).forEach((node) -> inContainers.add(node.databaseId()));
			for (String databaseId : inContainers) {
				this.locks.ifFree(databaseId, () -> recordRoles(databaseId));
			}
		}
		catch (RuntimeException ex) {
			log.warn("Supervision of the nodes failed this round: {}", ex.getMessage(), ex);
		}
		finally {
			this.rounds.incrementAndGet();
		}
	}

	long rounds() {
		return this.rounds.get();
	}

	private void supervise(String databaseId) {
		// a deletion may have come between the listing and the lock
		if (!DatabaseStatus.RUNNING.equals(this.repository.status(databaseId).orElse(null))) {
			return;
		}
		String password = this.nodes.requirePassword(databaseId);
		List<ManagedNode> all = new ArrayList<>(this.nodes.all(databaseId));
		// sentinels first (they say who the primary is), HAProxy next, data nodes last
		all.sort(Comparator.comparingInt((node) -> switch (node.kind()) {
			case ManagedNode.DriverData.SENTINEL -> 0;
			case ManagedNode.DriverData.HAPROXY -> 1;
			default -> 2;
		}));
		for (ManagedNode node : all) {
			try {
				boolean running = check(node, password, all);
				if (running && ManagedNode.DriverData.REDIS.equals(node.kind())) {
					recordRole(node, password);
				}
			}
			catch (RuntimeException ex) {
				log.warn("Could not bring back {}: {}", ProcessNodeDriver.describe(node), ex.getMessage());
			}
		}
	}

	private void recordRoles(String databaseId) {
		if (!DatabaseStatus.RUNNING.equals(this.repository.status(databaseId).orElse(null))) {
			return;
		}
		String password = this.nodes.requirePassword(databaseId);
		for (ManagedNode node : this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS)) {
			try {
				recordRole(node, password);
			}
			catch (RuntimeException ex) {
				// down for now: the engine restarts it, and the next round records its role
			}
		}
	}

	/** Adopts or restarts the node; answers whether it runs now. */
	private boolean check(ManagedNode node, String password, List<ManagedNode> all) {
		if (this.tightened.add(node.id())) {
			this.driver.tighten(node);
		}
		OptionalLong pid = this.driver.runningPid(node, password);
		if (pid.isPresent()) {
			if (node.driverData().pid() == null || node.driverData().pid() != pid.getAsLong()) {
				log.info("Adopted {} running as pid {}", ProcessNodeDriver.describe(node), pid.getAsLong());
				this.repository.updateNode(node.with(node.port(), node.driverData().withPid(pid.getAsLong())));
			}
			return true;
		}
		if (this.driver.processAlive(node)) {
			// busy or frozen, not dead: a second server would not get its port, and the sentinels judge it
			log.info("{} does not answer but its process lives; left as it is", ProcessNodeDriver.describe(node));
			return false;
		}
		List<String> arguments = List.of();
		if (ManagedNode.DriverData.REDIS.equals(node.kind())) {
			Optional<RedisEndpoint> primary = primaryNamedBySentinels(node.databaseId(), all);
			if (primary.isPresent() && primary.get().host().equals(node.host()) && primary.get().port() == node.port()) {
				if (anotherDataNodeRuns(node, password, all)) {
					log.info("{} is down; waiting for the sentinels to fail over before it comes back as a replica",
							ProcessNodeDriver.describe(node));
					return false;
				}
			}
			else if (primary.isPresent()) {
				// not to be promoted until it holds the primary's data: a node that has not synchronised yet
				// reports its link down "since -1 seconds", which the sentinels take for fresh, and a failover
				// meanwhile would make its old dataset the database's and drop every write since.
				// recordRole makes it promotable again once it is in step.
				arguments = List.of("--replicaof", primary.get().host(), String.valueOf(primary.get().port()),
						"--replica-priority", "0");
			}
			else if (hasSentinels(all) && anotherDataNodeRuns(node, password, all)) {
				// the sentinels do not answer (restarting, or a loaded machine): coming back as a primary next
				// to a running node would make two primaries for HAProxy, and the writes of one are lost
				log.info("{} is down; waiting for its sentinels to say which node is the primary",
						ProcessNodeDriver.describe(node));
				return false;
			}
		}
		ManagedNode restarted = this.driver.restart(node, password, arguments);
		this.repository.updateNode(restarted);
		log.warn("Restarted {} (pid {}){}", ProcessNodeDriver.describe(node), restarted.driverData().pid(),
				arguments.isEmpty() ? "" : " as a replica of " + arguments.get(1) + ":" + arguments.get(2));
		return true;
	}

	/**
	 * Whether a data node other than {@code node} answers, or its process is alive: one that does not answer for a
	 * moment (the sentinels promoting it kill its clients, the probe's among them) must not make this one come back
	 * as a second primary, whose empty or stale dataset the sentinels could then make the database's.
	 */
	private boolean anotherDataNodeRuns(ManagedNode node, String password, List<ManagedNode> all) {
		return all.stream()
			.filter((other) -> ManagedNode.DriverData.REDIS.equals(other.kind()) && other.id() != node.id())
			.anyMatch((other) -> this.driver.runningPid(other, password).isPresent() || this.driver.processAlive(other));
	}

	private static boolean hasSentinels(List<ManagedNode> all) {
		return all.stream().anyMatch((node) -> ManagedNode.DriverData.SENTINEL.equals(node.kind()));
	}

	private void recordRole(ManagedNode node, String password) {
		boolean tls = this.nodes.tls(node.databaseId());
		Map<String, String> replication = this.probe.call(new RedisEndpoint(node.host(), node.port(), password, tls),
				(jedis) -> {
					Map<String, String> fields = RedisInfo.fields(jedis.info("replication"));
					if (inStepButNotPromotable(fields)) {
						jedis.configSet("replica-priority", PROMOTABLE_PRIORITY);
						// a sentinel's or a configuration job's CONFIG REWRITE may have written the 0 into the file
						jedis.configRewrite();
						log.info("{} holds its primary's data now; the sentinels may promote it again",
								ProcessNodeDriver.describe(node));
					}
					return fields;
				});
		String role = "master".equals(replication.get("role")) ? Node.PRIMARY : Node.REPLICA;
		// a restore makes its target a replica of Coffer's restore listener for as long as it loads, then gives
		// the node its role back: that is no failover to record
		if (!role.equals(node.role()) && this.work.inFlight(node.databaseId(), EnumSet.of(Kind.RESTORE)).isEmpty()) {
			log.info("{} is now the {}", ProcessNodeDriver.describe(node), role);
			this.repository.updateRole(node.id(), role);
		}
	}

	/** A replica brought back with priority 0 (see check) whose first synchronisation is over. */
	static boolean inStepButNotPromotable(Map<String, String> replication) {
		String priority = replication.getOrDefault("slave_priority", replication.get("replica_priority"));
		return "slave".equals(replication.get("role")) && "0".equals(priority)
				&& "up".equals(replication.get("master_link_status"))
				&& "0".equals(replication.get("master_sync_in_progress"));
	}

	private Optional<RedisEndpoint> primaryNamedBySentinels(String databaseId, List<ManagedNode> all) {
		boolean tls = this.nodes.tls(databaseId);
		for (ManagedNode sentinel : all) {
			if (!ManagedNode.DriverData.SENTINEL.equals(sentinel.kind())) {
				continue;
			}
			try {
				List<String> address = this.probe.call(new RedisEndpoint(sentinel.host(), sentinel.port(), null, tls),
						(jedis) -> jedis.sentinelGetMasterAddrByName(databaseId));
				if (address != null && address.size() == 2) {
					return Optional.of(new RedisEndpoint(address.get(0), Integer.parseInt(address.get(1))));
				}
			}
			catch (RuntimeException ex) {
				// ask the next sentinel
			}
		}
		return Optional.empty();
	}

}
