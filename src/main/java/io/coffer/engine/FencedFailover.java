package io.coffer.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coffer.catalog.ManagedNode;
import io.coffer.node.DatabaseNodes;
import io.coffer.node.ProcessNodeDriver;
import io.coffer.node.ProvisioningProperties;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;

import static io.coffer.engine.UpgradeWaits.await;

/**
 * How a business upgrade hands the primary over to its upgraded replica: what the sentinels, HAProxy and
 * the replication of both nodes are asked and awaited, and the write fence that keeps the primary from
 * accepting writes it would drop.
 * <p>
 * The primary's {@code min-replicas-to-write} is kept on the upgrade's row before the fence goes up, so
 * that a fence an upgrade could not lift (its instance stopped) is put back by the recovery, or by the
 * database's next upgrade before it starts ({@link WriteFences}).
 */
final class FencedFailover {

	private static final Logger log = LoggerFactory.getLogger(FencedFailover.class);

	private final DatabaseNodes nodes;

	private final EngineRepository engines;

	private final ProvisioningProperties settings;

	private final RedisConnections connections;

	FencedFailover(DatabaseNodes nodes, EngineRepository engines, ProvisioningProperties settings,
			RedisConnections connections) {
		this.nodes = nodes;
		this.engines = engines;
		this.settings = settings;
		this.connections = connections;
	}

	/**
	 * Makes the primary refuse writes once its replica has left, should its writes be let through before
	 * it is a replica (the pause ends after a timeout): they would land on a node about to drop them.
	 * The value to put back is kept on the upgrade's row first, should this instance stop before it does.
	 * @return the value to put back
	 */
	String fence(ManagedNode primary, String password, long upgradeId) {
		String before = this.connections.call(endpoint(primary, password),
				(jedis) -> jedis.configGet("min-replicas-to-write").get("min-replicas-to-write"));
		this.engines.fenced(upgradeId, before);
		this.connections.call(endpoint(primary, password), (jedis) -> jedis.configSet("min-replicas-to-write", "1"));
		return before;
	}

	void unfence(List<ManagedNode> nodes, String password, String value) {
		for (ManagedNode node : nodes) {
			unfence(node, password, value);
		}
	}

	void unfence(ManagedNode node, String password, String value) {
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

	Duration failoverTimeout() {
		return this.settings.sentinelFailoverTimeout().multipliedBy(2).plus(this.settings.startTimeout());
	}

	void failOver(List<ManagedNode> sentinels, String databaseId, ManagedNode to, ManagedNode from,
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
	void awaitInSync(ManagedNode replica, ManagedNode primary, String password) {
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

	Optional<RedisEndpoint> primaryNamedBy(List<ManagedNode> sentinels, String databaseId) {
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

	private RedisEndpoint endpoint(ManagedNode node, String password) {
		return this.nodes.endpoint(node, password);
	}

}
