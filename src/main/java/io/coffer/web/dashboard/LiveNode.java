package io.coffer.web.dashboard;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.Database;
import io.coffer.catalog.Node;
import io.coffer.tls.CertificateAuthority;
import redis.clients.jedis.Jedis;

import org.springframework.stereotype.Component;

/**
 * Reads a database's node live for the dashboard: {@code INFO} for keys, memory and version, and
 * {@code CONFIG GET} for its persistence and eviction. Every failure becomes a sentence, so that a
 * node that is down takes one block of a page with it, not the page.
 */
@Component
class LiveNode {

	// a page waits for this, not a job: a node that does not answer quickly is reported as such
	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

	private final RedisConnections redis;

	private final DatabaseEndpoints endpoints;

	LiveNode(DatabaseEndpoints endpoints, CertificateAuthority authority) {
		this.endpoints = endpoints;
		this.redis = new RedisConnections(CONNECT_TIMEOUT, READ_TIMEOUT, authority::clientSocketFactory);
	}

	/** What the Overview shows; {@code problem} is a sentence when the node could not be read. */
	record Status(Node node, RedisInfo info, long peakMemory, String problem) {

		public boolean reachable() {
			return this.problem == null;
		}

	}

	/** What Settings › Configuration shows: each is null when the node would not say. */
	record Configuration(Boolean rdb, String savePoints, Boolean aof, Boolean cacheMode, String maxmemoryPolicy,
			String problem) {
	}

	Status status(Database database) {
		Optional<Node> node = primary(database);
		if (node.isEmpty()) {
			return new Status(null, null, 0, "This database has no Redis node in the catalogue.");
		}
		try {
			return this.redis.call(endpoint(database, node.get()), (jedis) -> {
				RedisInfo info = RedisInfo.read(jedis);
				Map<String, String> memory = RedisInfo.fields(jedis.info("memory"));
				return new Status(node.get(), info, parseLong(memory.get("used_memory_peak")), null);
			});
		}
		catch (RedisAccessException ex) {
			return new Status(node.get(), null, 0, unreachable(ex));
		}
	}

	Configuration configuration(Database database) {
		Optional<Node> node = primary(database);
		if (node.isEmpty()) {
			return new Configuration(null, null, null, null, null, "This database has no Redis node in the catalogue.");
		}
		try {
			return this.redis.call(endpoint(database, node.get()), (jedis) -> {
				String save = configValue(jedis, "save");
				String appendonly = configValue(jedis, "appendonly");
				String policy = configValue(jedis, "maxmemory-policy");
				return new Configuration((save != null) ? !save.isBlank() : null, save,
						(appendonly != null) ? "yes".equals(appendonly) : null,
						(policy != null) ? "allkeys-lru".equals(policy) : null, policy, null);
			});
		}
		catch (RedisAccessException ex) {
			return new Configuration(null, null, null, null, null, unreachable(ex));
		}
	}

	/** The password the database was registered or provisioned with, or null when it has none. */
	String password(Database database) {
		return this.endpoints.password(database);
	}

	/** The node the catalogue last knew as primary (the page names it; roles may have moved since). */
	static Optional<Node> primary(Database database) {
		return database.listedPrimary();
	}

	private RedisEndpoint endpoint(Database database, Node node) {
		return this.endpoints.node(database, node.host(), node.port());
	}

	private static String configValue(Jedis jedis, String name) {
		Map<String, String> values = jedis.configGet(name);
		return values.get(name);
	}

	private static String unreachable(RedisAccessException ex) {
		return "The Redis node could not be read just now (" + ex.getMessage()
				+ "); what it holds is not shown, the rest of the page works.";
	}

	private static long parseLong(String value) {
		try {
			return (value != null) ? Long.parseLong(value) : 0;
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}
