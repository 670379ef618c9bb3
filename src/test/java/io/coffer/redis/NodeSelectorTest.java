package io.coffer.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.coffer.testsupport.FreePorts;
import io.coffer.testsupport.RedisExtension;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class NodeSelectorTest {

	private static final String PASSWORD = "s3cret";

	@RegisterExtension
	static RedisExtension redis = RedisExtension.primaryWithReplica().password(PASSWORD).withSentinels(3);

	private final NodeSelector selector = new NodeSelector(
			new RedisConnections(Duration.ofSeconds(2), Duration.ofSeconds(5)), ReplicaLagLimit.DEFAULT);

	private static RedisServerProcess primary() {
		return redis.topology().primary();
	}

	private static RedisServerProcess replica() {
		return redis.topology().replica();
	}

	private static SentinelSet sentinels() {
		return new SentinelSet(redis.topology().sentinels().stream().map(RedisServerProcess::endpoint).toList(),
				RedisTopology.MASTER_NAME);
	}

	@Test
	void replicaInSyncIsChosen() {
		SelectedNode selected = this.selector.select(List.of(primary().endpoint(), replica().endpoint()));

		assertThat(selected.endpoint()).isEqualTo(replica().endpoint());
		assertThat(selected.role()).isEqualTo(SelectedNode.REPLICA);
		assertThat(selected.reason())
			.isEqualTo("replica " + replica().address() + " is in sync with the primary " + primary().address());
	}

	@Test
	void rolesComeFromTheNodesNotFromTheCatalogue() {
		// a catalogue that only remembers the replica, e.g. written before a failover
		SelectedNode selected = this.selector.select(List.of(replica().endpoint()));

		assertThat(selected.endpoint()).isEqualTo(replica().endpoint());
		assertThat(selected.reason()).contains("primary " + primary().address());
	}

	@Test
	void sentinelsNameTheNodes() {
		SelectedNode selected = this.selector.select(List.of(primary().endpoint()), sentinels());

		assertThat(selected.endpoint()).isEqualTo(replica().endpoint());
		assertThat(selected.isReplica()).isTrue();
	}

	@Test
	void replicaWhoseLinkIsDownIsSkipped() {
		try (Jedis jedis = replica().jedis()) {
			jedis.configSet("masterauth", "not-the-password");
			jedis.clientKill(new ClientKillParams().type(ClientType.MASTER));
		}
		try {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> replica().info("replication").get("master_link_status"), "down"::equals);

			SelectedNode selected = this.selector.select(List.of(primary().endpoint(), replica().endpoint()));

			assertThat(selected.endpoint()).isEqualTo(primary().endpoint());
			assertThat(selected.role()).isEqualTo(SelectedNode.PRIMARY);
			assertThat(selected.reason()).isEqualTo(
					"replica " + replica().address() + " skipped: master_link_status is down; using the primary");
		}
		finally {
			try (Jedis jedis = replica().jedis()) {
				jedis.configSet("masterauth", PASSWORD);
			}
			RedisTopology.awaitReplicaLinkUp(replica(), primary());
		}
	}

	@Test
	void replicaTheSentinelsSeeDownIsSkipped() {
		replica().kill();
		try {
			await().atMost(Duration.ofSeconds(15))
				.until(() -> this.selector.select(List.of(primary().endpoint()), sentinels()).reason(),
						(reason) -> reason.contains("flags it s_down"));

			SelectedNode selected = this.selector.select(List.of(primary().endpoint()), sentinels());

			assertThat(selected.endpoint()).isEqualTo(primary().endpoint());
			assertThat(selected.reason()).matches("replica " + replica().address()
					+ " skipped: sentinel 127\\.0\\.0\\.1:\\d+ flags it s_down; using the primary");
		}
		finally {
			replica().restart();
			RedisTopology.awaitReplicaLinkUp(replica(), primary());
			redis.topology().awaitSentinelsAgree(primary(), replica());
		}
	}

	@Test
	void unreachableKnownNodeIsReportedButDoesNotPreventTheBackup() {
		RedisEndpoint gone = new RedisEndpoint("127.0.0.1", FreePorts.next(), PASSWORD);

		SelectedNode selected = this.selector.select(List.of(gone, primary().endpoint(), replica().endpoint()));

		assertThat(selected.endpoint()).isEqualTo(replica().endpoint());
		assertThat(selected.reason()).startsWith("cannot reach Redis at " + gone.address() + ": connection refused; ");
	}

	@Test
	void primaryWithoutReplicaIsChosen() {
		try (RedisServerProcess alone = RedisServerProcess.startWithPassword(PASSWORD)) {
			SelectedNode selected = this.selector.select(List.of(alone.endpoint()));

			assertThat(selected.endpoint()).isEqualTo(alone.endpoint());
			assertThat(selected.role()).isEqualTo(SelectedNode.PRIMARY);
			assertThat(selected.reason()).isEqualTo("no replica known; using the primary");
		}
	}

	@Test
	void wrongPasswordIsNamed() {
		RedisEndpoint node = primary().endpoint().withPassword("wrong");

		assertThatExceptionOfType(RedisAccessException.class).isThrownBy(() -> this.selector.select(List.of(node)))
			.withMessage("Redis at " + node.address() + ": wrong password")
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.AUTH_FAILED));
	}

	@Test
	void noNodeAnsweringIsUnreachable() {
		RedisEndpoint first = new RedisEndpoint("127.0.0.1", FreePorts.next(), PASSWORD);
		RedisEndpoint second = new RedisEndpoint("127.0.0.1", FreePorts.next(), PASSWORD);

		assertThatExceptionOfType(RedisAccessException.class)
			.isThrownBy(() -> this.selector.select(List.of(first, second)))
			.withMessage("no node of the database answered: cannot reach Redis at " + first.address()
					+ ": connection refused; cannot reach Redis at " + second.address() + ": connection refused")
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.UNREACHABLE));
	}

	@Test
	void noSentinelAnsweringMeansNoPrimary() {
		RedisEndpoint sentinel = new RedisEndpoint("127.0.0.1", FreePorts.next());

		assertThatExceptionOfType(RedisAccessException.class)
			.isThrownBy(() -> this.selector.select(List.of(primary().endpoint()),
					new SentinelSet(List.of(sentinel), RedisTopology.MASTER_NAME)))
			.withMessage("no sentinel named the primary of mymaster: cannot reach Redis at " + sentinel.address()
					+ ": connection refused")
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.NO_PRIMARY));
	}

	@Test
	void replicaTooFarBehindOrSilentIsJudgedUnhealthy() {
		RedisEndpoint primary = new RedisEndpoint("10.0.0.1", 6379);
		Map<String, String> replicaInfo = Map.of("role", "slave", "master_host", "10.0.0.1", "master_port", "6379",
				"master_link_status", "up", "master_last_io_seconds_ago", "3", "slave_repl_offset", "1000");
		ReplicaLagLimit limit = new ReplicaLagLimit(500, Duration.ofSeconds(2));

		assertThat(NodeSelector.replicaProblem(replicaInfo, primary, 1400, new ReplicaLagLimit(500, Duration.ofSeconds(5))))
			.isEmpty();
		assertThat(NodeSelector.replicaProblem(replicaInfo, primary, 1400, limit))
			.contains("it last heard from the primary 3 s ago (limit 2 s)");
		assertThat(NodeSelector.replicaProblem(replicaInfo, primary, 1600, new ReplicaLagLimit(500, Duration.ofSeconds(5))))
			.contains("it lags 600 bytes behind the primary (limit 500 bytes)");
		assertThat(NodeSelector.replicaProblem(replicaInfo, new RedisEndpoint("10.0.0.2", 6379), 1000, limit))
			.contains("it replicates 10.0.0.1:6379, not the primary 10.0.0.2:6379");
	}

}
