package io.coffer.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import redis.clients.jedis.Jedis;

import org.springframework.stereotype.Component;

/**
 * Claims nodes of a pool of Redis servers that run already (a docker-compose or VM deployment) and
 * configures them remotely: the baseline settings with {@code CONFIG SET}, the database's password
 * and user with {@code ACL SETUSER}, an empty dataset. Deleting the database gives the node back to
 * the pool, emptied, with the pool password.
 * <p>
 * The pool has no sentinels or HAProxy to hand out, so this driver serves plans of one node. Pool
 * nodes must run with {@code databases 5}: that setting cannot be changed on a running Redis.
 */
@Component
class StaticNodeDriver implements NodeDriver {

	static final String NAME = "static";

	private final ProvisioningProperties settings;

	private final ProvisioningRepository repository;

	private final RedisConnections redis;

	// claimed by a provisioning of this instance that has not been recorded yet
	private final Set<String> claiming = ConcurrentHashMap.newKeySet();

	StaticNodeDriver(ProvisioningProperties settings, ProvisioningRepository repository, RedisConnections redis) {
		this.settings = settings;
		this.repository = repository;
		this.redis = redis;
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Optional<String> refusal(Plan plan) {
		if (plan.nodes() > 1) {
			return Optional.of("plan " + plan.name() + " needs a replica, sentinels and HAProxy, which the static "
					+ "driver's pool does not provide: choose a starter plan, or use the process driver");
		}
		if (pool().isEmpty()) {
			return Optional.of("the static driver has no pool: set coffer.provisioning.static-nodes");
		}
		return Optional.empty();
	}

	@Override
	public synchronized Reservation reserve(String databaseId, String name, String kind) {
		Set<String> used = this.repository.addressesInUse();
		for (RedisEndpoint node : pool()) {
			if (!used.contains(node.address()) && this.claiming.add(node.address())) {
				return new Reservation(node.host(), node.port(),
						new ManagedNode.DriverData(NAME, name, kind, null, null));
			}
		}
		throw new PoolExhausted("every node of the static pool is in use: add nodes "
				+ "to coffer.provisioning.static-nodes or delete a database");
	}

	@Override
	public ManagedNode start(ManagedNode node, NodeSetup setup) {
		NodeSetup.Redis config = (NodeSetup.Redis) setup;
		RedisEndpoint endpoint = new RedisEndpoint(node.host(), node.port(), poolPassword());
		try (Jedis jedis = this.redis.open(endpoint)) {
			String databases = jedis.configGet("databases").get("databases");
			if (!String.valueOf(NodeConfigFiles.BASELINE_DATABASES).equals(databases)) {
				throw new IllegalStateException("the pool node " + node.address() + " runs with " + databases
						+ " databases; start it with 'databases " + NodeConfigFiles.BASELINE_DATABASES + "'");
			}
			jedis.flushAll();
			jedis.configSet("timeout", String.valueOf(NodeConfigFiles.BASELINE_TIMEOUT));
			jedis.configSet("save", NodeConfigFiles.BASELINE_SAVE);
			jedis.configSet("appendonly", "no");
			jedis.configSet("maxmemory", config.memoryMb() + "mb");
			jedis.configSet("maxmemory-policy", "noeviction");
			jedis.configSet("masterauth", config.password());
			jedis.aclSetUser(config.databaseId(), "reset", "on", ">" + config.password(), "~*", "&*", "+@all");
			// the connection stays authenticated; from now on the node expects the database's password
			jedis.aclSetUser("default", "on", "resetpass", ">" + config.password(), "~*", "&*", "+@all");
			rewriteConfig(jedis);
		}
		catch (RedisAccessException ex) {
			throw new IllegalStateException("cannot claim the pool node " + node.address() + ": " + ex.getMessage(), ex);
		}
		finally {
			this.claiming.remove(node.address());
		}
		return node;
	}

	@Override
	public void remove(ManagedNode node, String password) {
		this.claiming.remove(node.address());
		RedisEndpoint endpoint = new RedisEndpoint(node.host(), node.port(), password);
		try (Jedis jedis = this.redis.open(endpoint)) {
			jedis.flushAll();
			jedis.aclDelUser(node.databaseId());
			giveBack(jedis);
		}
		catch (RedisAccessException ex) {
			if (!RedisAccessException.AUTH_FAILED.equals(ex.code())) {
				throw ex;
			}
			// never claimed (provisioning failed before): it still has the pool password, nothing to give back
		}
	}

	private void giveBack(Jedis jedis) {
		if (poolPassword() == null) {
			jedis.aclSetUser("default", "on", "resetpass", "nopass", "~*", "&*", "+@all");
		}
		else {
			jedis.aclSetUser("default", "on", "resetpass", ">" + poolPassword(), "~*", "&*", "+@all");
		}
		rewriteConfig(jedis);
	}

	private static void rewriteConfig(Jedis jedis) {
		try {
			jedis.configRewrite();
		}
		catch (RuntimeException ex) {
			// a node started without a configuration file keeps its settings until it restarts
		}
	}

	private String poolPassword() {
		return this.settings.staticPassword().isEmpty() ? null : this.settings.staticPassword();
	}

	List<RedisEndpoint> pool() {
		List<RedisEndpoint> nodes = new ArrayList<>();
		for (String entry : this.settings.staticNodes().split(",")) {
			String address = entry.trim();
			int colon = address.lastIndexOf(':');
			if (colon > 0) {
				nodes.add(new RedisEndpoint(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
			}
		}
		return nodes;
	}

}
