package io.coffer.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import redis.clients.jedis.Jedis;

/**
 * Chooses the node to back up: a healthy replica when there is one, so the primary does not
 * fork under load; else the primary.
 * <p>
 * Roles recorded in the catalogue are not trusted (a failover may have swapped them): they
 * come from the sentinels when the database has some, else from each node's
 * {@code INFO replication}.
 */
public final class NodeSelector {

	private static final List<String> UNHEALTHY_SENTINEL_FLAGS = List.of("s_down", "o_down", "disconnected");

	private final RedisConnections connections;

	private final ReplicaLagLimit lagLimit;

	public NodeSelector(RedisConnections connections, ReplicaLagLimit lagLimit) {
		this.connections = connections;
		this.lagLimit = lagLimit;
	}

	/** Selects among {@code knownNodes}, asking each for its role. */
	public SelectedNode select(List<RedisEndpoint> knownNodes) {
		return select(knownNodes, null);
	}

	/**
	 * Selects a node of the database.
	 * @param knownNodes the nodes the catalogue lists, with the database password; nodes the
	 * sentinels name get the password of the first known node
	 * @param sentinels the database's sentinels, or {@code null} when it has none
	 * @throws RedisAccessException when no primary can be found or reached
	 */
	public SelectedNode select(List<RedisEndpoint> knownNodes, SentinelSet sentinels) {
		Topology topology = topology(knownNodes, sentinels);
		List<String> skipped = new ArrayList<>(topology.skipped);
		for (RedisEndpoint replica : topology.replicas) {
			Optional<String> problem = replicaProblem(replica, topology);
			if (problem.isEmpty()) {
				String lagSentence = "replica " + replica.address() + " is in sync with the primary "
						+ topology.primary.address();
				return new SelectedNode(replica, SelectedNode.REPLICA, sentence(skipped, lagSentence));
			}
			skipped.add("replica " + replica.address() + " skipped: " + problem.get());
		}
		String fallback = skipped.isEmpty() ? "no replica known; using the primary" : "using the primary";
		return new SelectedNode(topology.primary, SelectedNode.PRIMARY, sentence(skipped, fallback));
	}

	/**
	 * The primary of the database right now, as its sentinels or its nodes tell it.
	 * @throws RedisAccessException when no primary can be found or reached
	 */
	public RedisEndpoint primary(List<RedisEndpoint> knownNodes, SentinelSet sentinels) {
		return topology(knownNodes, sentinels).primary;
	}

	private Topology topology(List<RedisEndpoint> knownNodes, SentinelSet sentinels) {
		return (sentinels != null) ? topologyFromSentinels(knownNodes, sentinels) : topologyFromNodes(knownNodes);
	}

	private Topology topologyFromSentinels(List<RedisEndpoint> knownNodes, SentinelSet sentinels) {
		// the nodes the sentinels name take the password and TLS of those the catalogue knows (if none: no
		// password, and TLS when the sentinels speak it, as every node of a database does once it is forced)
		RedisEndpoint known = knownNodes.isEmpty()
				? new RedisEndpoint("localhost", 6379, null, sentinels.sentinels().get(0).tls()) : knownNodes.get(0);
		List<String> failures = new ArrayList<>();
		for (RedisEndpoint sentinel : sentinels.sentinels()) {
			List<String> master;
			List<Map<String, String>> replicas;
			try (Jedis jedis = this.connections.open(sentinel)) {
				master = jedis.sentinelGetMasterAddrByName(sentinels.masterName());
				replicas = (master != null) ? jedis.sentinelReplicas(sentinels.masterName()) : List.of();
			}
			catch (RuntimeException ex) {
				failures.add(RedisConnections.describe(sentinel, ex).getMessage());
				continue;
			}
			if (master == null || master.size() != 2) {
				failures.add("sentinel " + sentinel.address() + " does not know " + sentinels.masterName());
				continue;
			}
			RedisEndpoint primary = known.at(master.get(0), Integer.parseInt(master.get(1)));
			return topologyNamedBy(sentinel, primary, replicas, known);
		}
		throw new RedisAccessException(RedisAccessException.NO_PRIMARY,
				"no sentinel named the primary of " + sentinels.masterName() + ": " + String.join("; ", failures));
	}

	private Topology topologyNamedBy(RedisEndpoint sentinel, RedisEndpoint primary, List<Map<String, String>> replicas,
			RedisEndpoint known) {
		Topology topology = new Topology(primary, readPrimaryReplication(primary));
		for (Map<String, String> replica : replicas) {
			int port = Integer.parseInt(replica.get("port"));
			if (ReplicaAnnouncement.isCoffers(replica.get("ip"), port)) {
				// a backup's or the archiver's connection as a sentinel that saw it unannounced lists it
				continue;
			}
			RedisEndpoint endpoint = known.at(replica.get("ip"), port);
			String flags = replica.getOrDefault("flags", "");
			Optional<String> unhealthy = UNHEALTHY_SENTINEL_FLAGS.stream().filter(flags::contains).findFirst();
			if (unhealthy.isPresent()) {
				topology.skipped.add("replica " + endpoint.address() + " skipped: sentinel " + sentinel.address()
						+ " flags it " + unhealthy.get());
			}
			else {
				topology.replicas.add(endpoint);
			}
		}
		return topology;
	}

	private Topology topologyFromNodes(List<RedisEndpoint> knownNodes) {
		if (knownNodes.isEmpty()) {
			throw new IllegalArgumentException("a database needs at least one known node");
		}
		Map<RedisEndpoint, Map<String, String>> reachable = new LinkedHashMap<>();
		List<RedisAccessException> failures = new ArrayList<>();
		for (RedisEndpoint node : knownNodes) {
			try {
				reachable.put(node, replicationInfo(node));
			}
			catch (RedisAccessException ex) {
				failures.add(ex);
			}
		}
		if (reachable.isEmpty()) {
			throw combined(failures);
		}
		RedisEndpoint primary = findPrimary(reachable, knownNodes.get(0));
		Topology topology = new Topology(primary, reachable.containsKey(primary) ? reachable.get(primary)
				: readPrimaryReplication(primary));
		reachable.forEach((node, info) -> {
			if ("slave".equals(info.get("role"))) {
				topology.replicas.add(node);
			}
		});
		failures.forEach((failure) -> topology.skipped.add(failure.getMessage()));
		return topology;
	}

	/** A node reporting {@code role:master}; else the primary the replicas follow, if it answers. */
	private RedisEndpoint findPrimary(Map<RedisEndpoint, Map<String, String>> reachable, RedisEndpoint known) {
		List<RedisEndpoint> primaries = reachable.entrySet().stream()
			.filter((entry) -> "master".equals(entry.getValue().get("role")))
			.map(Map.Entry::getKey)
			.toList();
		for (RedisEndpoint primary : primaries) {
			// with several (a split brain, or a replica promoted by hand), the one replicas follow wins
			boolean followed = reachable.values().stream().anyMatch((info) -> follows(info, primary));
			if (followed) {
				return primary;
			}
		}
		if (!primaries.isEmpty()) {
			return primaries.get(0);
		}
		for (Map<String, String> info : reachable.values()) {
			if (info.get("master_host") != null) {
				return known.at(info.get("master_host"), Integer.parseInt(info.get("master_port")));
			}
		}
		throw new RedisAccessException(RedisAccessException.NO_PRIMARY, "none of the nodes "
				+ reachable.keySet().stream().map(RedisEndpoint::address).toList() + " is a primary or follows one");
	}

	private Map<String, String> readPrimaryReplication(RedisEndpoint primary) {
		Map<String, String> info = replicationInfo(primary);
		if (!"master".equals(info.get("role"))) {
			throw new RedisAccessException(RedisAccessException.NO_PRIMARY, "Redis at " + primary.address()
					+ " was named as the primary but reports role " + info.get("role"));
		}
		return info;
	}

	private Optional<String> replicaProblem(RedisEndpoint replica, Topology topology) {
		Map<String, String> info;
		try {
			info = replicationInfo(replica);
		}
		catch (RedisAccessException ex) {
			return Optional.of(ex.getMessage());
		}
		return replicaProblem(info, topology.primary, offset(topology.primaryInfo, "master_repl_offset"), this.lagLimit);
	}

	/** Why this replica should not be backed up, judged from its {@code INFO replication}. */
	static Optional<String> replicaProblem(Map<String, String> replicaInfo, RedisEndpoint primary, long primaryOffset,
			ReplicaLagLimit limit) {
		if (!"slave".equals(replicaInfo.get("role"))) {
			return Optional.of("it reports role " + replicaInfo.get("role"));
		}
		if (!follows(replicaInfo, primary)) {
			return Optional.of("it replicates " + replicaInfo.get("master_host") + ":" + replicaInfo.get("master_port")
					+ ", not the primary " + primary.address());
		}
		if (!"up".equals(replicaInfo.get("master_link_status"))) {
			return Optional.of("master_link_status is " + replicaInfo.get("master_link_status"));
		}
		long silence = offset(replicaInfo, "master_last_io_seconds_ago");
		if (silence < 0 || silence > limit.maxSilence().toSeconds()) {
			return Optional.of("it last heard from the primary " + silence + " s ago (limit "
					+ limit.maxSilence().toSeconds() + " s)");
		}
		long lag = primaryOffset - offset(replicaInfo, "slave_repl_offset");
		if (lag > limit.maxBytes()) {
			return Optional.of("it lags " + lag + " bytes behind the primary (limit " + limit.maxBytes() + " bytes)");
		}
		return Optional.empty();
	}

	private static boolean follows(Map<String, String> replicaInfo, RedisEndpoint primary) {
		return primary.host().equalsIgnoreCase(replicaInfo.get("master_host"))
				&& String.valueOf(primary.port()).equals(replicaInfo.get("master_port"));
	}

	private Map<String, String> replicationInfo(RedisEndpoint node) {
		return this.connections.call(node, (jedis) -> RedisInfo.fields(jedis.info("replication")));
	}

	private static long offset(Map<String, String> info, String name) {
		String value = info.get(name);
		return (value != null) ? Long.parseLong(value) : -1;
	}

	private static RedisAccessException combined(List<RedisAccessException> failures) {
		if (failures.size() == 1) {
			return failures.get(0);
		}
		boolean allAuth = failures.stream().allMatch((ex) -> RedisAccessException.AUTH_FAILED.equals(ex.code()));
		String code = allAuth ? RedisAccessException.AUTH_FAILED : RedisAccessException.UNREACHABLE;
		return new RedisAccessException(code, "no node of the database answered: "
				+ String.join("; ", failures.stream().map(RuntimeException::getMessage).toList()));
	}

	private static String sentence(List<String> skipped, String conclusion) {
		if (skipped.isEmpty()) {
			return conclusion;
		}
		return String.join("; ", skipped) + "; " + conclusion;
	}

	private static final class Topology {

		private final RedisEndpoint primary;

		private final Map<String, String> primaryInfo;

		private final List<RedisEndpoint> replicas = new ArrayList<>();

		private final List<String> skipped = new ArrayList<>();

		Topology(RedisEndpoint primary, Map<String, String> primaryInfo) {
			this.primary = primary;
			this.primaryInfo = primaryInfo;
		}

	}

}
