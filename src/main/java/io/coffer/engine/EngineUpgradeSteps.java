package io.coffer.engine;

import io.coffer.node.DatabaseLocks;
import io.coffer.node.DatabaseNodes;
import io.coffer.node.NodeDrivers;
import io.coffer.node.ProcessNodeDriver;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.Node;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.node.ProvisioningProperties;
import io.coffer.tls.CertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

import org.springframework.stereotype.Component;

/**
 * What {@code engineUpgradeJob} does to the nodes of a database the process or the docker driver runs.
 * <p>
 * One node (starter): its writes are paused and its keys counted, it stops with {@code SHUTDOWN SAVE}
 * and starts again on the new engine, which must load as many keys. Primary and replica with sentinels
 * (business): the replica moves first and catches up; the primary is fenced (it refuses writes once its
 * replica is gone, so that nothing written to it after the promotion is lost) and the sentinels fail
 * over to the upgraded replica; once the sentinels and HAProxy name it, the former primary, now its
 * replica, moves too. Clients through REDIS_URL see one reconnect.
 * <p>
 * How one node moves, and when it goes back to its old engine, is {@link EngineRestarts}'s; how the
 * primary hands over to its replica behind the write fence, {@link FencedFailover}'s. The database's lock
 * is held throughout, so the supervisor never restarts a node the upgrade is moving.
 */
@Component
class EngineUpgradeSteps implements WriteFences {

	private static final Logger log = LoggerFactory.getLogger(EngineUpgradeSteps.class);

	private final DatabaseNodes nodes;

	private final DatabaseLocks locks;

	private final ProvisioningRepository provisioning;

	private final EngineRepository engines;

	private final EngineCatalogue catalogue;

	private final ProvisioningProperties settings;

	private final Clock clock;

	private final RedisConnections connections;

	private final EngineRestarts restarts;

	private final FencedFailover failover;

	EngineUpgradeSteps(DatabaseNodes nodes, NodeDrivers drivers, DatabaseLocks locks,
			ProvisioningRepository provisioning, EngineRepository engines, EngineCatalogue catalogue,
			ProvisioningProperties settings, Clock clock, CertificateAuthority authority) {
		this.connections = new RedisConnections(Duration.ofSeconds(2), Duration.ofSeconds(10),
				authority::clientSocketFactory);
		this.nodes = nodes;
		this.locks = locks;
		this.provisioning = provisioning;
		this.engines = engines;
		this.catalogue = catalogue;
		this.settings = settings;
		this.clock = clock;
		// both ask the nodes through the upgrade's connections, with its timeouts
		this.restarts = new EngineRestarts(nodes, drivers, provisioning, engines, catalogue, settings,
				this.connections);
		this.failover = new FencedFailover(nodes, engines, settings, this.connections);
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
				this.failover.unfence(data, password, left.minReplicasToWrite());
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
			this.restarts.engineProblem(node, password, target).ifPresent(problems::add);
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
				this.failover.unfence(data, this.nodes.requirePassword(databaseId), minReplicasToWrite);
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
			moved = this.restarts.move(node, password, target, previous, List.of(), true);
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
		RedisEndpoint named = this.failover.primaryNamedBy(sentinels, databaseId)
			.orElseThrow(() -> new IllegalStateException("no sentinel of " + databaseId + " names its primary"));
		ManagedNode primary = data.stream()
			.filter((node) -> node.host().equals(named.host()) && node.port() == named.port())
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("the sentinels name " + named.address() + " primary of "
					+ databaseId + ", which is none of its nodes"));
		ManagedNode replica = data.stream().filter((node) -> node.id() != primary.id()).findFirst().orElseThrow();
		// nothing moves unless the replica can take over: in sync now, else no failover would keep the data
		this.failover.awaitInSync(replica, primary, password);

		replica = this.restarts.move(replica, password, target, previous, replicaOf(primary), true);
		this.failover.awaitInSync(replica, primary, password);

		// Sentinel failovers do not wait for the replica: what the primary acknowledged after the replica's
		// last offset would be lost. Writes wait on the primary until the replica has all of it and the
		// primary is a replica itself (then they are refused, and clients retry on the new primary).
		String fence = this.failover.fence(primary, password, upgradeId);
		try {
			this.connections.call(endpoint(primary, password),
					(jedis) -> jedis.clientPause(this.failover.failoverTimeout().toMillis(), ClientPauseMode.WRITE));
			this.failover.awaitInSync(replica, primary, password);
			this.failover.failOver(sentinels, databaseId, replica, primary, proxies, password);
		}
		catch (RuntimeException ex) {
			try {
				this.failover.unfence(primary, password, fence);
				this.engines.fenceLifted(upgradeId);
			}
			catch (RuntimeException notLifted) {
				// kept on the upgrade's row: the recovery lifts it later
				ex.addSuppressed(notLifted);
			}
			throw ex;
		}
		this.failover.unfence(primary, password, fence);
		this.engines.fenceLifted(upgradeId);
		this.provisioning.updateRole(replica.id(), Node.PRIMARY);
		this.provisioning.updateRole(primary.id(), Node.REPLICA);
		log.info("{} failed over to {}, which runs engine {}", databaseId, replica.address(), target);

		// no way back from here: the former primary must replicate a primary that runs the new engine
		ManagedNode former = this.restarts.move(primary, password, target, previous, replicaOf(replica), false);
		this.failover.awaitInSync(former, replica, password);
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

}
