package io.coffer.node;

import java.util.List;
import java.util.Optional;

import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.TlsRequirement;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.Node;
import io.coffer.catalog.ProvisioningRepository;

import org.springframework.stereotype.Component;

/**
 * The nodes of a provisioned database by name, its password, and the URL its app is given: the
 * HAProxy leader of a business database, the single node of a starter one.
 */
@Component
public class DatabaseNodes {

	public static final String PRIMARY = "redis-1";

	static final String REPLICA = "redis-2";

	public static final String HAPROXY_LEADER = "haproxy-leader";

	public static final String HAPROXY_BACKUP = "haproxy-backup";

	private final ProvisioningRepository repository;

	private final DatabaseEndpoints endpoints;

	private final TlsRequirement tls;

	DatabaseNodes(ProvisioningRepository repository, DatabaseEndpoints endpoints, TlsRequirement tls) {
		this.repository = repository;
		this.endpoints = endpoints;
		this.tls = tls;
	}

	/** Whether the database's nodes accept TLS connections only. */
	public boolean tls(String databaseId) {
		return this.tls.forced(databaseId);
	}

	/**
	 * How Coffer reaches one of the database's nodes, sentinels included: with TLS when the database has
	 * it forced, since every node then serves TLS only.
	 */
	public RedisEndpoint endpoint(ManagedNode node, String password) {
		return new RedisEndpoint(node.host(), node.port(), password, tls(node.databaseId()));
	}

	public List<ManagedNode> all(String databaseId) {
		return this.repository.nodesOf(databaseId);
	}

	public List<ManagedNode> ofKind(String databaseId, String kind) {
		return all(databaseId).stream().filter((node) -> kind.equals(node.kind())).toList();
	}

	public Optional<ManagedNode> named(String databaseId, String name) {
		return all(databaseId).stream().filter((node) -> name.equals(node.name())).findFirst();
	}

	/** Where the app connects: the HAProxy leader when there is one, else the primary. */
	public Optional<ManagedNode> entryPoint(String databaseId) {
		return named(databaseId, HAPROXY_LEADER).or(() -> named(databaseId, PRIMARY));
	}

	public Optional<String> password(String databaseId) {
		return this.endpoints.password(databaseId);
	}

	public String requirePassword(String databaseId) {
		return password(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " has no password recorded"));
	}

	/**
	 * {@code redis://<id>:<password>@<host>:<port>}, the REDIS_URL of a provisioned database;
	 * {@code rediss://} when TLS is forced (the address stays: the same port speaks TLS).
	 */
	public Optional<String> redisUrl(String databaseId) {
		String scheme = tls(databaseId) ? "rediss://" : "redis://";
		return entryPoint(databaseId).flatMap((entry) -> password(databaseId)
			.map((password) -> scheme + databaseId + ":" + password + "@" + entry.host() + ":" + entry.port()));
	}

	public static String roleOf(String name) {
		if (name.startsWith("sentinel")) {
			return Node.SENTINEL;
		}
		if (name.startsWith("haproxy")) {
			return Node.HAPROXY;
		}
		return PRIMARY.equals(name) ? Node.PRIMARY : Node.REPLICA;
	}

}
