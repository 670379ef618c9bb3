package io.coffer.redisconfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.coffer.backup.DatabaseEndpoints;
import io.coffer.backup.RedisConnections;
import io.coffer.backup.RedisEndpoint;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.provision.Plan;
import io.coffer.provision.PlanCatalogue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

import org.springframework.stereotype.Component;

/**
 * What {@code configJob} does: the change goes to every data node, primary and replicas alike (a replica
 * promoted by a failover must serve with the same settings), is written to each node's configuration
 * file, then read back from each.
 */
@Component
class ConfigSteps {

	private static final Logger log = LoggerFactory.getLogger(ConfigSteps.class);

	// rewriting the AOF of a large database takes a while; a hung fork should still end the job
	private static final Duration AOF_REWRITE_TIMEOUT = Duration.ofMinutes(30);

	private final DatabaseRepository databases;

	private final DatabaseEndpoints endpoints;

	private final PlanCatalogue plans;

	private final ConfigChangeRepository changes;

	private final RedisConnections connections;

	ConfigSteps(DatabaseRepository databases, DatabaseEndpoints endpoints, PlanCatalogue plans,
			ConfigChangeRepository changes, RedisConnections connections) {
		this.databases = databases;
		this.endpoints = endpoints;
		this.plans = plans;
		this.changes = changes;
		this.connections = connections;
	}

	void apply(String databaseId, long changeId) {
		this.changes.status(changeId, ConfigChangeRepository.RUNNING, null);
		ConfigChange change = change(changeId);
		Database database = database(databaseId);
		Long maxmemory = planMemory(database);
		for (RedisEndpoint node : this.endpoints.nodes(database)) {
			this.connections.call(node, (jedis) -> {
				Map<String, String> parameters = parameters(jedis, node, change, maxmemory);
				RedisSettings.apply(jedis, parameters, AOF_REWRITE_TIMEOUT);
				if (!RedisSettings.persist(jedis)) {
					log.warn("{} of {} runs without a configuration file: its new settings last until it restarts",
							node.address(), databaseId);
				}
				return null;
			});
			log.info("Applied {} to {} of {}", change.asMap(), node.address(), databaseId);
		}
	}

	void verify(String databaseId, long changeId) {
		ConfigChange change = change(changeId);
		Database database = database(databaseId);
		Long maxmemory = planMemory(database);
		List<String> problems = new ArrayList<>();
		for (RedisEndpoint node : this.endpoints.nodes(database)) {
			Map<String, String> mismatches = this.connections.call(node,
					(jedis) -> RedisSettings.mismatches(jedis, parameters(jedis, node, change, maxmemory)));
			mismatches.forEach((name, problem) -> problems.add(node.address() + " has " + name + " " + problem));
		}
		if (!problems.isEmpty()) {
			throw new IllegalStateException("the change did not take: " + String.join("; ", problems));
		}
		this.changes.status(changeId, ConfigChangeRepository.DONE, null);
	}

	/**
	 * Cache mode evicts above a limit: the plan's memory, or for a registered database the node's own
	 * limit, which must then exist (a node without one would grow until the machine runs out).
	 */
	private Map<String, String> parameters(Jedis jedis, RedisEndpoint node, ConfigChange change, Long maxmemory) {
		if (Boolean.TRUE.equals(change.cacheMode()) && maxmemory == null
				&& "0".equals(jedis.configGet("maxmemory").get("maxmemory"))) {
			throw new IllegalStateException(node.address() + " has no maxmemory: cache mode would never evict");
		}
		return RedisSettings.parameters(change, maxmemory);
	}

	private Long planMemory(Database database) {
		return (database.plan() != null) ? this.plans.find(database.plan()).map(ConfigSteps::bytes).orElse(null) : null;
	}

	static long bytes(Plan plan) {
		return plan.memoryMb() * 1024L * 1024L;
	}

	private ConfigChange change(long changeId) {
		return this.changes.find(changeId)
			.orElseThrow(() -> new IllegalStateException("configuration change " + changeId + " is not recorded"));
	}

	private Database database(String databaseId) {
		return this.databases.findLive(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " was deleted meanwhile"));
	}

}
