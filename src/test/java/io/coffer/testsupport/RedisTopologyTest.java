package io.coffer.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class RedisTopologyTest {

	@RegisterExtension
	static RedisExtension redis = RedisExtension.primaryWithReplica().password("s3cret").withSentinels(3);

	@Test
	void primaryReplicaAndSentinelsAgreeOnTheMaster() {
		RedisTopology topology = redis.topology();
		RedisServerProcess primary = topology.primary();
		RedisServerProcess replica = topology.replica();

		assertThat(primary.info("replication")).containsEntry("role", "master").containsEntry("connected_slaves", "1");
		assertThat(replica.info("replication")).containsEntry("role", "slave")
			.containsEntry("master_port", String.valueOf(primary.port()))
			.containsEntry("master_link_status", "up");
		assertThat(topology.sentinels()).hasSize(3);
		for (RedisServerProcess sentinel : topology.sentinels()) {
			try (Jedis jedis = sentinel.jedis()) {
				assertThat(jedis.sentinelGetMasterAddrByName(RedisTopology.MASTER_NAME))
					.containsExactly(primary.host(), String.valueOf(primary.port()));
				assertThat(jedis.sentinelReplicas(RedisTopology.MASTER_NAME)).extracting((r) -> r.get("port"))
					.containsExactly(String.valueOf(replica.port()));
			}
		}
	}

	@Test
	void dataWrittenOnThePrimaryReachesTheReplica() {
		try (Jedis primary = redis.server().jedis()) {
			primary.set("harness", "works");
		}
		RedisTopology.waitUntil("the key to be replicated", () -> {
			try (Jedis replica = redis.topology().replica().jedis()) {
				return "works".equals(replica.get("harness"));
			}
		});
	}

	@Test
	void everyProcessHasItsOwnPortFolderAndLog() {
		List<RedisServerProcess> all = new ArrayList<>(redis.topology().sentinels());
		all.addAll(redis.topology().dataNodes());
		assertThat(all).extracting(RedisServerProcess::port).doesNotHaveDuplicates();
		assertThat(all).extracting(RedisServerProcess::dir).doesNotHaveDuplicates();
		assertThat(all).allSatisfy((server) -> assertThat(server.logFile()).isRegularFile());
	}

	@Test
	void closeStopsTheServerAndRemovesItsFolder() {
		RedisServerProcess server = RedisServerProcess.startWithPassword("pw");
		Path dir = server.dir();
		assertThat(server.info("server")).containsKey("redis_version");

		server.close();

		assertThat(server.isRunning()).isFalse();
		assertThat(Files.exists(dir)).isFalse();
	}

	@Test
	void killedServerCanBeRestartedOnTheSamePort() {
		try (RedisServerProcess server = RedisServerProcess.options().save("3600 1").start()) {
			int port = server.port();
			try (Jedis jedis = server.jedis()) {
				jedis.set("kept", "yes");
				jedis.save();
			}
			server.kill();
			assertThat(server.isRunning()).isFalse();

			server.restart();

			assertThat(server.port()).isEqualTo(port);
			try (Jedis jedis = server.jedis()) {
				assertThat(jedis.get("kept")).isEqualTo("yes");
			}
		}
	}

	@Test
	void startFailureShowsTheLogTail() {
		assertThatIllegalStateException()
			.isThrownBy(() -> RedisServerProcess.options().set("no-such-directive", "1").start())
			.withMessageContaining("no-such-directive");
	}

	@Test
	void portsAreNotHandedOutTwice() {
		Map<Integer, Boolean> seen = new HashMap<>();
		for (int i = 0; i < 200; i++) {
			assertThat(seen.put(FreePorts.next(), true)).isNull();
		}
	}

}
