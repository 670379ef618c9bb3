package io.coffer.engine;

import io.coffer.node.DatabaseLocks;
import io.coffer.node.DatabaseNodes;
import io.coffer.node.ProcessNodeDriver;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.Node;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.engine.EngineCatalogue;
import io.coffer.engine.EngineRepository;
import io.coffer.engine.EngineVersion;
import io.coffer.engine.WriteFences;
import io.coffer.node.ProvisioningProperties;
import io.coffer.tls.CertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.exceptions.JedisDataException;

import org.springframework.stereotype.Component;

/**
 * What {@code engineUpgradeJob} does to the nodes of a database the process driver runs.
 * <p>
 * One node (starter): its writes are paused and its keys counted, it stops with {@code SHUTDOWN SAVE}
 * and starts again on the new engine, which must load as many keys. Primary and replica with sentinels
 * (business): the replica moves first and catches up; the primary is fenced (it refuses writes once its
 * replica is gone, so that nothing written to it after the promotion is lost) and the sentinels fail
 * over to the upgraded replica; once the sentinels and HAProxy name it, the former primary, now its
 * replica, moves too. Clients through REDIS_URL see one reconnect.
 * <p>
 * A node whose new engine never answers (it could not be run, or exited as it started) is started again
 * on its old one, and the upgrade stops there with the reason: the database keeps serving on the version
 * it had. Only then: a new engine that answered has loaded the data and may have written it in a format an
 * older engine cannot read (an RDB version newer than its own), so a node that started on the new engine
 * and failed after (it loads too long, or reports another version) stays on it, as does the former primary
 * after the failover whatever happens to it: its primary runs the new engine, whose data an older replica
 * cannot load. The supervisor keeps such a node on the new engine, and the upgrade fails saying so. The
 * database's lock is held throughout, so the supervisor never restarts a node the upgrade is moving.
 * <p>
 * The primary's {@code min-replicas-to-write} is kept on the upgrade's row before the fence goes up, so
 * that a fence an upgrade could not lift (its instance stopped) is put back by the recovery, or by the
 * database's next upgrade before it starts ({@link WriteFences}).
 */
@Component
class EngineUpgradeSteps implements WriteFences {

	private static final Logger log = LoggerFactory.getLogger(EngineUpgradeSteps.class);

	private static final Duration POLL = Duration.ofMillis(100);

	private final DatabaseNodes nodes;

	private final ProcessNodeDriver driver;

	private final DatabaseLocks locks;

	private final ProvisioningRepository provisioning;

	private final EngineRepository engines;

	private final EngineCatalogue catalogue;

	private final ProvisioningProperties settings;

	private final Clock clock;

	private final RedisConnections connections;

	EngineUpgradeSteps(DatabaseNodes nodes, ProcessNodeDriver driver, DatabaseLocks locks,
			ProvisioningRepository provisioning, EngineRepository engines, EngineCatalogue catalogue,
			ProvisioningProperties settings, Clock clock, CertificateAuthority authority) {
		this.connections = new RedisConnections(Duration.ofSeconds(2), Duration.ofSeconds(10),
				authority::clientSocketFactory);
		this.nodes = nodes;
		this.driver = driver;
		this.locks = locks;
		this.provisioning = provisioning;
		this.engines = engines;
		this.catalogue = catalogue;
		this.settings = settings;
		this.clock = clock;
	}

	/** Moves every data node of the database to the upgrade's version. */
	void upgrade(String databaseId, long upgradeId) {
		EngineRepository.Upgrade upgrade = upgradeRow(upgradeId);
		EngineVersion target = EngineVersion.parse(upgrade.toVersion());
		this.catalogue.find(target)
			.orElseThrow(() -> new IllegalStateException("engine " + target + " is no longer in the engine catalogue"));
		this.engines.running(upgradeId);
		this.locks.withLock(databaseId, () -> {
			String password = this.nodes.requirePassword(databaseId);
			List<ManagedNode> all = this.nodes.all(databaseId);
			List<ManagedNode> data = ofKind(all, ManagedNode.DriverData.REDIS);
			List<ManagedNode> sentinels = ofKind(all, ManagedNode.DriverData.SENTINEL);
			// a fence an earlier upgrade left up would be taken for the primary's own setting, and kept
			for (EngineRepository.WriteFence left : this.engines.fencesLeft(databaseId)) {
				unfence(data, password, left.minReplicasToWrite());
				this.engines.fenceLifted(left.upgradeId());
				log.info("The write fence upgrade {} left on {} is lifted", left.upgradeId(), databaseId);
			}
			if (data.size() == 1) {
				upgradeAlone(data.get(0), password, target, upgrade.fromVersion());
			}
			else if (data.size() == 2 && !sentinels.isEmpty()) {
				upgradeRolling(databaseId, upgradeId, data, sentinels, ofKind(all, ManagedNode.DriverData.HAPROXY),
						password, target, upgrade.fromVersion());
			}
			else {
				throw new IllegalStateException(databaseId + " has " + data.size() + " data nodes and " + sentinels.size()
						+ " sentinels: Coffer upgrades one node, or a primary and a replica with sentinels");
			}
		});
	}

	/** Checks that every data node runs the new engine, then records the database's new version. */
	void verify(String databaseId, long upgradeId) {
		EngineRepository.Upgrade upgrade = upgradeRow(upgradeId);
		EngineVersion target = EngineVersion.parse(upgrade.toVersion());
		String password = this.nodes.requirePassword(databaseId);
		List<String> problems = new ArrayList<>();
		for (ManagedNode node : ofKind(this.nodes.all(databaseId), ManagedNode.DriverData.REDIS)) {
			engineProblem(node, password, target).ifPresent(problems::add);
		}
		if (!problems.isEmpty()) {
			throw new IllegalStateException("the upgrade did not take: " + String.join("; ", problems));
		}
		this.engines.upgraded(databaseId, target.toString());
		this.engines.done(upgradeId, this.clock.instant());
		log.info("{} runs engine {} on every data node", databaseId, target);
	}

	/**
	 * Puts the primary's {@code min-replicas-to-write} back on every data node of the database and lets paused
	 * writes through, once the supervisor is done with its nodes (it holds the database's lock a moment).
	 */
	@Override
	public void lift(String databaseId, String minReplicasToWrite) {
		this.locks.withLock(databaseId, () -> {
			List<ManagedNode> data = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS);
			if (!data.isEmpty()) {
				unfence(data, this.nodes.requirePassword(databaseId), minReplicasToWrite);
			}
		});
	}

	private void upgradeAlone(ManagedNode node, String password, EngineVersion target, String previous) {
		KeyCounts keys = this.connections.call(endpoint(node, password), (jedis) -> {
			// writes wait (they are not refused) from here until the node stops, so the count below is final
			jedis.clientPause(this.settings.startTimeout().toMillis(), ClientPauseMode.WRITE);
			return KeyCounts.of(keyspace(jedis));
		});
		ManagedNode moved;
		try {
			moved = move(node, password, target, previous, List.of(), true);
		}
		catch (RuntimeException ex) {
			// a node that refused to stop still holds its clients' writes: let them through
			try {
				this.connections.call(endpoint(node, password), Jedis::clientUnpause);
			}
			catch (RuntimeException notRunning) {
				// it was restarted, or is down: there is no pause left to lift
			}
			throw ex;
		}
		// what the node loaded from its dump, as it counted it: clients may write as soon as it answers, so the
		// keyspace now would count their new keys too
		Map<String, String> load = this.connections.call(endpoint(moved, password),
				(jedis) -> RedisInfo.fields(jedis.info("persistence")));
		keys.missingFromLoad(Long.parseLong(load.getOrDefault("rdb_last_load_keys_loaded", "-1")),
				Long.parseLong(load.getOrDefault("rdb_last_load_keys_expired", "0"))).ifPresent((missing) -> {
			throw new IllegalStateException(ProcessNodeDriver.describe(moved) + " lost keys on " + target + ": "
					+ missing);
		});
	}

	private void upgradeRolling(String databaseId, long upgradeId, List<ManagedNode> data, List<ManagedNode> sentinels,
			List<ManagedNode> proxies, String password, EngineVersion target, String previous) {
		RedisEndpoint named = primaryNamedBy(sentinels, databaseId)
			.orElseThrow(() -> new IllegalStateException("no sentinel of " + databaseId + " names its primary"));
		ManagedNode primary = data.stream()
			.filter((node) -> node.host().equals(named.host()) && node.port() == named.port())
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("the sentinels name " + named.address() + " primary of "
					+ databaseId + ", which is none of its nodes"));
		ManagedNode replica = data.stream().filter((node) -> node.id() != primary.id()).findFirst().orElseThrow();
		// nothing moves unless the replica can take over: in sync now, else no failover would keep the data
		awaitInSync(replica, primary, password);

		replica = move(replica, password, target, previous, replicaOf(primary), true);
		awaitInSync(replica, primary, password);

		// Sentinel failovers do not wait for the replica: what the primary acknowledged after the replica's
		// last offset would be lost. Writes wait on the primary until the replica has all of it and the
		// primary is a replica itself (then they are refused, and clients retry on the new primary).
		String fence = fence(primary, password, upgradeId);
		try {
			this.connections.call(endpoint(primary, password),
					(jedis) -> jedis.clientPause(failoverTimeout().toMillis(), ClientPauseMode.WRITE));
			awaitInSync(replica, primary, password);
			failOver(sentinels, databaseId, replica, primary, proxies, password);
		}
		catch (RuntimeException ex) {
			try {
				unfence(primary, password, fence);
				this.engines.fenceLifted(upgradeId);
			}
			catch (RuntimeException notLifted) {
				// kept on the upgrade's row: the recovery lifts it later
				ex.addSuppressed(notLifted);
			}
			throw ex;
		}
		unfence(primary, password, fence);
		this.engines.fenceLifted(upgradeId);
		this.provisioning.updateRole(replica.id(), Node.PRIMARY);
		this.provisioning.updateRole(primary.id(), Node.REPLICA);
		log.info("{} failed over to {}, which runs engine {}", databaseId, replica.address(), target);

		// no way back from here: the former primary must replicate a primary that runs the new engine
		ManagedNode former = move(primary, password, target, previous, replicaOf(replica), false);
		awaitInSync(former, replica, password);
	}

	/**
	 * Restarts the node on {@code target}, its data written to disk first. When the new engine never answers,
	 * the node is started again on its old engine if {@code mayGoBack}; otherwise, and when the new engine
	 * answered but fails after, the node stays on {@code target} (see the class comment). Fails with the reason.
	 */
	private ManagedNode move(ManagedNode node, String password, EngineVersion target, String previous,
			List<String> arguments, boolean mayGoBack) {
		this.engines.nodeVersion(node.databaseId(), node.name(), target.toString());
		try {
			this.driver.stopSaving(node, password);
		}
		catch (RuntimeException ex) {
			this.engines.nodeVersion(node.databaseId(), node.name(), null);
			throw ex;
		}
		ManagedNode started;
		try {
			started = this.driver.restart(node, password, arguments);
		}
		catch (RuntimeException ex) {
			// Redis answers once it has loaded its data, and writes its files only after: this one wrote nothing
			if (mayGoBack) {
				throw startedAgain(node, password, target, previous, arguments, ex);
			}
			throw mustRun(node, target, previous, "it did not start on " + target + ": " + ex.getMessage(), ex);
		}
		try {
			loaded(started, password);
			engineProblem(started, password, target).ifPresent((problem) -> {
				throw new IllegalStateException(problem);
			});
			log.info("{} runs engine {}", ProcessNodeDriver.describe(started), target);
			return started;
		}
		catch (RuntimeException ex) {
			if (!mayGoBack) {
				throw mustRun(node, target, previous, "it started on " + target + ", but " + ex.getMessage(), ex);
			}
			throw new IllegalStateException(ProcessNodeDriver.describe(node) + " started on " + target + ", but "
					+ ex.getMessage() + "; it stays on " + target + ", not on " + engineName(previous) + ": it has loaded "
					+ "its data on " + target + ", which may have written it in a format " + engineName(previous)
					+ " cannot read. Repair " + target + ", then ask the upgrade again", ex);
		}
	}

	/** The node's new engine never answered: starts it on its old one again, and answers the failure to throw. */
	private IllegalStateException startedAgain(ManagedNode node, String password, EngineVersion target,
			String previous, List<String> arguments, RuntimeException cause) {
		log.warn("{} did not start on engine {}; starting it again on {}", ProcessNodeDriver.describe(node), target,
				engineName(previous), cause);
		this.engines.nodeVersion(node.databaseId(), node.name(), null);
		String back;
		try {
			if (this.driver.runningPid(node, password).isPresent()) {
				this.driver.stopSaving(node, password);
			}
			loaded(this.driver.restart(node, password, arguments), password);
			back = "it runs " + engineName(previous) + " again";
		}
		catch (RuntimeException notBack) {
			back = "and it did not start again on " + engineName(previous) + " either (" + notBack.getMessage()
					+ "): the supervisor keeps trying";
		}
		return new IllegalStateException(ProcessNodeDriver.describe(node) + " did not start on " + target + ": "
				+ cause.getMessage() + "; " + back, cause);
	}

	/** The former primary failed on the new engine after the failover: it cannot go back. */
	private static IllegalStateException mustRun(ManagedNode node, EngineVersion target, String previous,
			String failure, RuntimeException cause) {
		return new IllegalStateException(ProcessNodeDriver.describe(node) + " must run " + target + " now, and "
				+ failure + ". Its primary runs " + target + ", whose data " + engineName(previous) + " cannot load: "
				+ "it stays on " + target + " (the supervisor keeps starting it there) and the database has no "
				+ "replica until it runs. Repair " + target + ", then ask the upgrade again", cause);
	}

	private static String engineName(String version) {
		return (version != null) ? version : "its former engine";
	}

	/** Records the node as started and waits until it has loaded its data. */
	private void loaded(ManagedNode started, String password) {
		this.provisioning.updateNode(started);
		await(ProcessNodeDriver.describe(started) + " to load its data", this.settings.startTimeout(), () -> {
			try {
				return "0".equals(this.connections.call(endpoint(started, password),
						(jedis) -> RedisInfo.fields(jedis.info("persistence"))).get("loading"));
			}
			catch (RuntimeException ex) {
				return false;
			}
		});
	}

	/** Why the node does not run the engine's program at its version, or empty when it does. */
	private Optional<String> engineProblem(ManagedNode node, String password, EngineVersion target) {
		EngineCatalogue.Engine engine = this.catalogue.find(target)
			.orElseThrow(() -> new IllegalStateException("engine " + target + " is no longer in the engine catalogue"));
		Map<String, String> server = this.connections.call(endpoint(node, password),
				(jedis) -> RedisInfo.fields(jedis.info("server")));
		// a Valkey node reports valkey_version beside the redis_version it shows clients (7.2.4)
		EngineVersion reported = EngineVersion.fromInfo(server);
		if (!engine.reportedVersion().equals(reported)) {
			return Optional.of(node.address() + " reports " + ((reported != null) ? reported.label() : "no version")
					+ ", not " + engine.reportedVersion().label() + " of engine " + target);
		}
		// Redis reports the absolute path it was started by: a program named by its path is checked by
		// path too; one found on the PATH by its version only
		if (Path.of(engine.server()).isAbsolute() && !engine.server().equals(server.get("executable"))) {
			return Optional.of(node.address() + " runs " + server.get("executable") + ", not " + engine.server()
					+ " of engine " + target);
		}
		return Optional.empty();
	}

	/**
	 * Makes the primary refuse writes once its replica has left, should its writes be let through before
	 * it is a replica (the pause ends after a timeout): they would land on a node about to drop them.
	 * The value to put back is kept on the upgrade's row first, should this instance stop before it does.
	 * @return the value to put back
	 */
	private String fence(ManagedNode primary, String password, long upgradeId) {
		String before = this.connections.call(endpoint(primary, password),
				(jedis) -> jedis.configGet("min-replicas-to-write").get("min-replicas-to-write"));
		this.engines.fenced(upgradeId, before);
		this.connections.call(endpoint(primary, password), (jedis) -> jedis.configSet("min-replicas-to-write", "1"));
		return before;
	}

	private void unfence(List<ManagedNode> nodes, String password, String value) {
		for (ManagedNode node : nodes) {
			unfence(node, password, value);
		}
	}

	private void unfence(ManagedNode node, String password, String value) {
		try {
			this.connections.call(endpoint(node, password), (jedis) -> {
				jedis.clientUnpause();
				jedis.configSet("min-replicas-to-write", value);
				// the configuration file was rewritten when it became a replica, fence included
				jedis.configRewrite();
				return null;
			});
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("could not lift the write fence (min-replicas-to-write, paused writes) of "
					+ ProcessNodeDriver.describe(node) + ": " + ex.getMessage(), ex);
		}
	}

	private Duration failoverTimeout() {
		return this.settings.sentinelFailoverTimeout().multipliedBy(2).plus(this.settings.startTimeout());
	}

	private void failOver(List<ManagedNode> sentinels, String databaseId, ManagedNode to, ManagedNode from,
			List<ManagedNode> proxies, String password) {
		Duration timeout = failoverTimeout();
		// right after the replica restarted, the sentinels may not take it for a good replica yet
		await("a sentinel of " + databaseId + " to start the failover to " + to.address(), timeout,
				() -> askFailover(sentinels, databaseId));
		await(to.address() + " to be promoted primary", timeout, () -> role(to, password).equals("master"));
		// The sentinels turn the former primary into a replica only after it has reported itself primary
		// for a while (seconds), and HAProxy sends clients to it meanwhile, where the fence refuses their
		// writes: Coffer makes it a replica at once, as the sentinels would.
		this.connections.call(endpoint(from, password), (jedis) -> {
			jedis.replicaof(to.host(), to.port());
			jedis.configRewrite();
			// the writes held meanwhile are refused now (a replica is read-only): their clients retry elsewhere
			jedis.clientUnpause();
			return null;
		});
		await("every sentinel of " + databaseId + " to name " + to.address() + " primary", timeout,
				() -> sentinels.stream().allMatch((sentinel) -> names(sentinel, databaseId, to)));
		await(from.address() + " to replicate " + to.address(), timeout, () -> replicates(from, to, password));
		await("HAProxy of " + databaseId + " to route to " + to.address(), timeout,
				() -> proxies.stream().allMatch((proxy) -> routesTo(proxy, to, password)));
	}

	private boolean askFailover(List<ManagedNode> sentinels, String databaseId) {
		for (ManagedNode sentinel : sentinels) {
			try {
				this.connections.call(endpoint(sentinel, null), (jedis) -> jedis.sentinelFailover(databaseId));
				log.info("Sentinel {} fails {} over", sentinel.address(), databaseId);
				return true;
			}
			catch (JedisDataException ex) {
				if (ex.getMessage() != null && ex.getMessage().startsWith("INPROG")) {
					return true;
				}
				// NOGOODSLAVE: not yet; ask again
			}
			catch (RuntimeException ex) {
				// this sentinel is unreachable: ask another
			}
		}
		return false;
	}

	private boolean names(ManagedNode sentinel, String databaseId, ManagedNode primary) {
		try {
			List<String> address = this.connections.call(endpoint(sentinel, null),
					(jedis) -> jedis.sentinelGetMasterAddrByName(databaseId));
			return address != null && address.size() == 2 && address.get(0).equals(primary.host())
					&& address.get(1).equals(String.valueOf(primary.port()));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** Whether the HAProxy sends new connections to the node: the node it reaches says which port it has. */
	private boolean routesTo(ManagedNode proxy, ManagedNode node, String password) {
		try {
			return String.valueOf(node.port())
				.equals(this.connections.call(endpoint(proxy, password), (jedis) -> RedisInfo.fields(jedis.info("server")))
					.get("tcp_port"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private String role(ManagedNode node, String password) {
		try {
			return replication(node, password).getOrDefault("role", "");
		}
		catch (RuntimeException ex) {
			return "";
		}
	}

	private boolean replicates(ManagedNode replica, ManagedNode primary, String password) {
		try {
			Map<String, String> replication = replication(replica, password);
			return "slave".equals(replication.get("role")) && primary.host().equals(replication.get("master_host"))
					&& String.valueOf(primary.port()).equals(replication.get("master_port"))
					&& "up".equals(replication.get("master_link_status"))
					&& "0".equals(replication.get("master_sync_in_progress"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** Waits until the replica follows the primary and has everything the primary had when asked. */
	private void awaitInSync(ManagedNode replica, ManagedNode primary, String password) {
		await(replica.address() + " to replicate " + primary.address(), this.settings.startTimeout(),
				() -> replicates(replica, primary, password));
		long offset = Long.parseLong(replication(primary, password).get("master_repl_offset"));
		await(replica.address() + " to catch up with " + primary.address(), this.settings.startTimeout(), () -> {
			String reached = replication(replica, password).get("slave_repl_offset");
			return reached != null && Long.parseLong(reached) >= offset;
		});
	}

	private Map<String, String> replication(ManagedNode node, String password) {
		return this.connections.call(endpoint(node, password), (jedis) -> RedisInfo.fields(jedis.info("replication")));
	}

	private Optional<RedisEndpoint> primaryNamedBy(List<ManagedNode> sentinels, String databaseId) {
		for (ManagedNode sentinel : sentinels) {
			try {
				List<String> address = this.connections.call(endpoint(sentinel, null),
						(jedis) -> jedis.sentinelGetMasterAddrByName(databaseId));
				if (address != null && address.size() == 2) {
					return Optional.of(new RedisEndpoint(address.get(0), Integer.parseInt(address.get(1)), null,
							this.nodes.tls(databaseId)));
				}
			}
			catch (RuntimeException ex) {
				// ask the next sentinel
			}
		}
		return Optional.empty();
	}

	private static List<String> replicaOf(ManagedNode primary) {
		return List.of("--replicaof", primary.host(), String.valueOf(primary.port()));
	}

	private static Map<String, String> keyspace(Jedis jedis) {
		return RedisInfo.fields(jedis.info("keyspace"));
	}

	/**
	 * The keys of each logical database, from {@code INFO keyspace} ({@code db0:keys=200,expires=10,...}): those
	 * without a TTL, which a restart keeps, and those with one, which it drops when their TTL passed meanwhile
	 * (Redis loads no expired key, and counts expired keys it has not reclaimed yet).
	 */
	record KeyCounts(Map<String, Long> persistent, Map<String, Long> expiring) {

		static KeyCounts of(Map<String, String> keyspace) {
			Map<String, Long> persistent = new TreeMap<>();
			Map<String, Long> expiring = new TreeMap<>();
			keyspace.forEach((name, value) -> {
				Map<String, String> fields = new TreeMap<>();
				for (String field : value.split(",")) {
					String[] pair = field.split("=", 2);
					fields.put(pair[0], (pair.length == 2) ? pair[1] : "0");
				}
				long keys = Long.parseLong(fields.getOrDefault("keys", "0"));
				long expires = Long.parseLong(fields.getOrDefault("expires", "0"));
				persistent.put(name, keys - expires);
				expiring.put(name, expires);
			});
			return new KeyCounts(persistent, expiring);
		}

		/**
		 * What the load of the dump lacks of these keys, from the node's own figures ({@code INFO persistence}:
		 * {@code rdb_last_load_keys_loaded} and {@code rdb_last_load_keys_expired}, which Redis 7 and Valkey
		 * report): every key counted before the stop is in the dump, so each must have been loaded, or dropped
		 * as expired, and only keys with a TTL can expire.
		 */
		Optional<String> missingFromLoad(long loaded, long expiredAtLoad) {
			long persistentBefore = this.persistent.values().stream().mapToLong(Long::longValue).sum();
			long expiringBefore = this.expiring.values().stream().mapToLong(Long::longValue).sum();
			long before = persistentBefore + expiringBefore;
			if (loaded < 0) {
				return Optional.of("it does not say how many keys it loaded (rdb_last_load_keys_loaded)");
			}
			if (loaded + expiredAtLoad != before || expiredAtLoad > expiringBefore) {
				return Optional.of("it loaded " + loaded + " keys and dropped " + expiredAtLoad + " expired ones, of the "
						+ before + " it had (" + persistentBefore + " without a TTL, " + expiringBefore + " with one)");
			}
			return Optional.empty();
		}

	}

	private static List<ManagedNode> ofKind(List<ManagedNode> nodes, String kind) {
		return nodes.stream().filter((node) -> kind.equals(node.kind())).toList();
	}

	private RedisEndpoint endpoint(ManagedNode node, String password) {
		return this.nodes.endpoint(node, password);
	}

	private EngineRepository.Upgrade upgradeRow(long upgradeId) {
		return this.engines.find(upgradeId)
			.orElseThrow(() -> new IllegalStateException("engine upgrade " + upgradeId + " is not recorded"));
	}

	private static void await(String what, Duration timeout, Supplier<Boolean> condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.get()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("gave up waiting for " + what + " after " + timeout.toSeconds() + " s");
			}
			ProcessNodeDriver.pause(POLL);
		}
	}

}
