package io.coffer.redisconfig;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.provision.DatabaseProvisioning;
import io.coffer.node.Plan;
import io.coffer.node.PlanCatalogue;
import io.coffer.tls.TlsSwitch;
import io.coffer.system.ServiceProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * What {@code configJob} does: the change goes to every data node, primary and replicas alike (a replica
 * promoted by a failover must serve with the same settings), is written to each node's configuration
 * file, then read back from each. Forcing TLS (or turning it off) comes first, on every node of the
 * database (see {@link TlsSwitch}); the app is told its new REDIS_URL as soon as it is recorded, since
 * the nodes then speak only the new way, whatever happens to the other settings of the change.
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

	private final TlsSwitch tls;

	private final DatabaseProvisioning provisioning;

	private final ApplicationEventPublisher events;

	private final String platformPrefix;

	private final Clock clock;

	ConfigSteps(DatabaseRepository databases, DatabaseEndpoints endpoints, PlanCatalogue plans,
			ConfigChangeRepository changes, RedisConnections connections, TlsSwitch tls,
			DatabaseProvisioning provisioning, ApplicationEventPublisher events, ServiceProperties service,
			Clock clock) {
		this.databases = databases;
		this.endpoints = endpoints;
		this.plans = plans;
		this.changes = changes;
		this.connections = connections;
		this.tls = tls;
		this.provisioning = provisioning;
		this.events = events;
		this.platformPrefix = service.platformPrefix();
		this.clock = clock;
	}

	void apply(String databaseId, long changeId) {
		this.changes.running(changeId);
		ConfigChange change = change(changeId);
		Database database = database(databaseId);
		Long maxmemory = planMemory(database);
		if (change.forceTls() != null && this.tls.apply(databaseId, change.forceTls())) {
			// told now, not after the read-back: if another setting fails, the app must still follow the nodes
			announceEnv(database);
		}
		if (RedisSettings.parameters(change, maxmemory).isEmpty()) {
			return;
		}
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
		if (change.forceTls() != null) {
			problems.addAll(this.tls.check(databaseId, change.forceTls()));
		}
		// a change of TLS alone has no Redis setting to read back on the data nodes
		boolean settings = !RedisSettings.parameters(change, maxmemory).isEmpty();
		for (RedisEndpoint node : settings ? this.endpoints.nodes(database) : List.<RedisEndpoint>of()) {
			Map<String, String> mismatches = this.connections.call(node,
					(jedis) -> RedisSettings.mismatches(jedis, parameters(jedis, node, change, maxmemory)));
			mismatches.forEach((name, problem) -> problems.add(node.address() + " has " + name + " " + problem));
		}
		if (!problems.isEmpty()) {
			throw new IllegalStateException("the change did not take: " + String.join("; ", problems));
		}
		this.changes.done(changeId);
	}

	/** REDIS_URL changed its scheme: the platform updates the app's environment. */
	private void announceEnv(Database database) {
		this.provisioning.redisUrl(database).ifPresent((url) -> {
			Map<String, String> env = new LinkedHashMap<>();
			env.put("REDIS_URL", url);
			env.put(this.platformPrefix + "_REDIS_URL", url);
			this.events.publishEvent(new DatabaseEnvChanged(database.id(), database.app(), env, this.clock.instant()));
		});
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
