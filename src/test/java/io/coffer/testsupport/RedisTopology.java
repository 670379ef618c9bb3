package io.coffer.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import redis.clients.jedis.Jedis;

/**
 * A primary, one replica of it, and optionally sentinels monitoring the primary as
 * {@value #MASTER_NAME} with quorum 2 and short timeouts, so failover tests are quick.
 * <p>
 * {@link Builder#start()} returns once the replica's link is up and every sentinel knows
 * the primary, the replica and the other sentinels.
 */
public final class RedisTopology implements AutoCloseable {

	public static final String MASTER_NAME = "mymaster";

	public static final int QUORUM = 2;

	private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(30);

	private final RedisServerProcess primary;

	private final RedisServerProcess replica;

	private final List<RedisServerProcess> sentinels;

	private RedisTopology(RedisServerProcess primary, RedisServerProcess replica, List<RedisServerProcess> sentinels) {
		this.primary = primary;
		this.replica = replica;
		this.sentinels = List.copyOf(sentinels);
	}

	public static Builder primaryWithReplica() {
		return new Builder();
	}

	/** The node that was started as primary (a failover may since have changed roles). */
	public RedisServerProcess primary() {
		return this.primary;
	}

	/** The node that was started as replica. */
	public RedisServerProcess replica() {
		return this.replica;
	}

	public List<RedisServerProcess> sentinels() {
		return this.sentinels;
	}

	public List<RedisServerProcess> dataNodes() {
		return List.of(this.primary, this.replica);
	}

	public String masterName() {
		return MASTER_NAME;
	}

	/** Waits until {@code replica} reports {@code master_link_status:up} and its primary sees it online. */
	public static void awaitReplicaLinkUp(RedisServerProcess replica, RedisServerProcess primary) {
		waitUntil(replica + " to be an online replica of " + primary, () -> {
			Map<String, String> replication = replica.info("replication");
			if (!"up".equals(replication.get("master_link_status"))
					|| !String.valueOf(primary.port()).equals(replication.get("master_port"))) {
				return false;
			}
			return primary.info("replication").values().stream()
				.anyMatch((value) -> value.contains("port=" + replica.port() + ",state=online"));
		});
	}

	/**
	 * Waits until every sentinel names {@code expectedPrimary} as master, sees
	 * {@code expectedReplica} as a healthy replica and knows all the other sentinels.
	 */
	public void awaitSentinelsAgree(RedisServerProcess expectedPrimary, RedisServerProcess expectedReplica) {
		for (RedisServerProcess sentinel : this.sentinels) {
			waitUntil(sentinel + " to agree on primary " + expectedPrimary + " and replica " + expectedReplica,
					() -> sentinelAgrees(sentinel, expectedPrimary, expectedReplica));
		}
	}

	/** The primary as the first answering sentinel names it. */
	public RedisServerProcess currentPrimary() {
		for (RedisServerProcess sentinel : this.sentinels) {
			if (!sentinel.isRunning()) {
				continue;
			}
			try (Jedis jedis = sentinel.jedis()) {
				List<String> address = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
				int port = Integer.parseInt(address.get(1));
				return (port == this.primary.port()) ? this.primary : this.replica;
			}
			catch (RuntimeException ex) {
				// try the next sentinel
			}
		}
		throw new IllegalStateException("no sentinel answered");
	}

	@Override
	public void close() {
		List<RuntimeException> failures = new ArrayList<>();
		List<RedisServerProcess> all = new ArrayList<>(this.sentinels);
		all.add(this.replica);
		all.add(this.primary);
		for (RedisServerProcess server : all) {
			try {
				server.close();
			}
			catch (RuntimeException ex) {
				failures.add(ex);
			}
		}
		if (!failures.isEmpty()) {
			throw failures.get(0);
		}
	}

	private boolean sentinelAgrees(RedisServerProcess sentinel, RedisServerProcess expectedPrimary,
			RedisServerProcess expectedReplica) {
		try (Jedis jedis = sentinel.jedis()) {
			List<String> master = jedis.sentinelGetMasterAddrByName(MASTER_NAME);
			if (master == null || !List.of(expectedPrimary.host(), String.valueOf(expectedPrimary.port())).equals(master)) {
				return false;
			}
			boolean replicaHealthy = jedis.sentinelReplicas(MASTER_NAME).stream()
				.anyMatch((replica) -> String.valueOf(expectedReplica.port()).equals(replica.get("port"))
						&& !replica.get("flags").contains("down") && !replica.get("flags").contains("disconnected"));
			return replicaHealthy && jedis.sentinelSentinels(MASTER_NAME).size() == this.sentinels.size() - 1;
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** Polls {@code condition} until it holds, failing after a bound: topology changes take seconds. */
	static void waitUntil(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + AGREEMENT_TIMEOUT.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("gave up waiting " + AGREEMENT_TIMEOUT.toSeconds() + " s for " + what);
			}
			RedisServerProcess.pause(Duration.ofMillis(50));
		}
	}

	public static final class Builder {

		private String password;

		private int sentinelCount;

		private String dataServer = "redis-server";

		private String sentinelServer = "redis-server";

		private final Map<String, String> settings = new LinkedHashMap<>();

		private Builder() {
		}

		public Builder password(String password) {
			this.password = password;
			return this;
		}

		/** A configuration directive for both data nodes. */
		public Builder set(String directive, String value) {
			this.settings.put(directive, value);
			return this;
		}

		/** The programs of the data nodes and of the sentinels: {@code redis-server} unless told. */
		public Builder servers(String dataServer, String sentinelServer) {
			this.dataServer = dataServer;
			this.sentinelServer = sentinelServer;
			return this;
		}

		public Builder withSentinels(int count) {
			this.sentinelCount = count;
			return this;
		}

		public RedisTopology start() {
			List<RedisServerProcess> started = new ArrayList<>();
			try {
				RedisServerProcess primary = node().start();
				started.add(primary);
				RedisServerProcess replica = node().replicaOf(primary).start();
				started.add(replica);
				awaitReplicaLinkUp(replica, primary);
				List<RedisServerProcess> sentinels = new ArrayList<>();
				for (int i = 0; i < this.sentinelCount; i++) {
					RedisServerProcess sentinel = RedisServerProcess.options()
						.server(this.sentinelServer)
						.sentinel(sentinelLines(primary))
						.start();
					started.add(sentinel);
					sentinels.add(sentinel);
				}
				RedisTopology topology = new RedisTopology(primary, replica, sentinels);
				topology.awaitSentinelsAgree(primary, replica);
				return topology;
			}
			catch (RuntimeException ex) {
				started.forEach(RedisServerProcess::close);
				throw ex;
			}
		}

		private RedisServerProcess.Options node() {
			RedisServerProcess.Options options = RedisServerProcess.options().server(this.dataServer).password(this.password);
			this.settings.forEach(options::set);
			return options;
		}

		private List<String> sentinelLines(RedisServerProcess primary) {
			List<String> lines = new ArrayList<>();
			lines.add("sentinel monitor " + MASTER_NAME + " " + primary.host() + " " + primary.port() + " " + QUORUM);
			lines.add("sentinel down-after-milliseconds " + MASTER_NAME + " 1000");
			lines.add("sentinel failover-timeout " + MASTER_NAME + " 3000");
			if (this.password != null) {
				lines.add("sentinel auth-pass " + MASTER_NAME + " " + this.password);
			}
			return lines;
		}

	}

}
