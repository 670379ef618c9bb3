package io.coffer.node;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.coffer.provision.ProvisioningTest;
import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A business database's primary dies while its replica is frozen (SIGSTOP: its process alive, answering nothing,
 * as a node does for a moment while a sentinel promoting it kills its clients). The supervisor must not bring the
 * primary back as a primary beside it: the sentinels would then keep the old node's dataset and the replica would
 * resynchronise from it. It waits; once the replica answers again, the sentinels promote it, the old primary comes
 * back as its replica, and nothing written before is lost.
 */
class FrozenReplicaFailoverTest extends IntegrationTest {

	@Autowired
	NodeSupervisor supervisor;

	@Test
	void aPrimaryThatDiesBesideAFrozenReplicaIsNotBroughtBackAsASecondPrimary() throws Exception {
		Provisioned provisioned = provision("frozen-replica-" + System.nanoTime() % 100_000, "redis-business-256");
		String id = provisioned.id();
		Map<String, Integer> ports = ProvisioningTest.portsByRole(provisioned.database());
		URI uri = provisioned.url();
		String password = uri.getUserInfo().substring(id.length() + 1);
		try (Jedis jedis = ProvisioningTest.connect(uri, id, password)) {
			jedis.set("before", "kept");
		}
		URI replica = URI.create("redis://127.0.0.1:" + ports.get("replica"));
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = ProvisioningTest.connect(replica, null, password)) {
				return "kept".equals(jedis.get("before"));
			}
		});
		long replicaPid = pid(replica, password);
		URI primary = URI.create("redis://127.0.0.1:" + ports.get("primary"));
		ProcessHandle primaryProcess = ProcessHandle.of(pid(primary, password)).orElseThrow();

		signal("STOP", replicaPid);
		try {
			primaryProcess.destroyForcibly();
			primaryProcess.onExit().get(30, TimeUnit.SECONDS);
			// two whole rounds after the kill: each looked at the dead primary beside the frozen replica
			long seen = this.supervisor.rounds();
			await().atMost(Duration.ofSeconds(60)).until(() -> this.supervisor.rounds() >= seen + 2);
			assertThat(ProvisioningTest.isFree(ports.get("primary")))
				.as("the dead primary was not brought back as a primary while its replica's process lives")
				.isTrue();
		}
		finally {
			signal("CONT", replicaPid);
		}

		// the sentinels promote the replica, which holds the data; HAProxy sends REDIS_URL to it
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = ProvisioningTest.connect(uri, id, password)) {
				jedis.set("after", "written");
				return "kept".equals(jedis.get("before"));
			}
		});
		// and the old primary comes back as its replica, with the data
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = ProvisioningTest.connect(primary, null, password)) {
				Map<String, String> replication = RedisInfo.fields(jedis.info("replication"));
				return "slave".equals(replication.get("role")) && "up".equals(replication.get("master_link_status"))
						&& "kept".equals(jedis.get("before")) && "written".equals(jedis.get("after"));
			}
		});
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	private static long pid(URI node, String password) {
		try (Jedis jedis = ProvisioningTest.connect(node, null, password)) {
			return Long.parseLong(RedisInfo.fields(jedis.info("server")).get("process_id"));
		}
	}

	private static void signal(String name, long pid) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start();
		assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name + " " + pid).isTrue();
	}

}
