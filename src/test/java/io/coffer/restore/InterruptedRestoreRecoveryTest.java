package io.coffer.restore;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

import io.coffer.catalog.InstanceTimeout;
import io.coffer.crypto.Keyring;
import io.coffer.system.JobExecutions;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance stops in the middle of a restore: its target still replicates from a listener that is
 * gone (so it is a read-only replica of nothing), with the listener's secret for its masteruser and
 * masterauth, and its sentinels are held off. Another instance's recovery undoes all of it from the
 * restore's journal, records the restore as failed, and the database can be restored again.
 */
class InterruptedRestoreRecoveryTest extends IntegrationTest {

	private static final String PASSWORD = "interrupted-restore-secret";

	@Autowired
	InterruptedRestores recovery;

	@Autowired
	InstanceTimeout instanceTimeout;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Keyring keyring;

	private RedisTopology redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisTopology.primaryWithReplica().password(PASSWORD).withSentinels(3).start();
	}

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void theTargetAndItsSentinelsAreGivenBackWhatTheStoppedInstanceTookAndTheDatabaseCanBeRestoredAgain()
			throws IOException {
		RedisServerProcess primary = this.redis.primary();
		RedisDataset.write(primary);
		String db = RestoreSupport.registerWithSentinels(operator(), this.redis, "interrupted-restore", PASSWORD);
		JsonNode backup = backUp(db);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		Map<Integer, Map<String, String>> data;
		try (Jedis jedis = primary.jedis()) {
			data = RedisDataset.snapshot(jedis);
		}

		// what the stopped instance had done when it stopped: sentinels held, the target told to replicate
		// from its listener, whose port is closed now that the instance is gone
		Map<String, String> held = new LinkedHashMap<>();
		for (RedisServerProcess sentinel : this.redis.sentinels()) {
			try (Jedis jedis = sentinel.jedis()) {
				held.put(sentinel.address(),
						jedis.sentinelMaster(RedisTopology.MASTER_NAME).get("down-after-milliseconds"));
				jedis.sentinelSet(RedisTopology.MASTER_NAME, Map.of("down-after-milliseconds", "3600000"));
			}
		}
		int listenerPort;
		try (ServerSocket listener = new ServerSocket(0)) {
			listenerPort = listener.getLocalPort();
		}
		try (Jedis jedis = primary.jedis()) {
			assertThat(jedis.configGet("masterauth").get("masterauth")).isEqualTo(PASSWORD);
			jedis.configSet("masteruser", OneShotPrimary.MASTER_USER);
			jedis.configSet("masterauth", "the-stopped-listeners-one-time-secret");
			jedis.replicaof("127.0.0.1", listenerPort);
		}
		Map<String, String> ownMasterAuth = Map.of(DumpLoader.JOURNAL_MASTER_USER_VALUE, "",
				DumpLoader.JOURNAL_MASTER_AUTH_SEALED, this.keyring.newest().sealText(PASSWORD));
		String restoreId = insertRunningRestore(db, Map.of(DumpLoader.JOURNAL_NODE, primary.address(),
				DumpLoader.JOURNAL_ROLE_BEFORE, Map.of("role", "master"), DumpLoader.JOURNAL_LISTENER,
				"127.0.0.1:" + listenerPort, DumpLoader.JOURNAL_PHASE, "replicating", DumpLoader.JOURNAL_MASTER_NAME,
				RedisTopology.MASTER_NAME, DumpLoader.JOURNAL_SENTINELS, held, DumpLoader.JOURNAL_MASTER_AUTH,
				ownMasterAuth));
		ApiClient.Response blocked = RestoreSupport.start(operator(), db, "{\"target\": \"in_place\"}");
		assertThat(blocked.status()).as("the interrupted restore still holds the target").isEqualTo(409);
		assertThat(primary.info("replication").get("role")).isEqualTo("slave");

		assertThat(this.recovery.recover(this.instanceTimeout.stoppedNow())).isEqualTo(1);

		JsonNode failed = operator().get("/api/v1/databases/" + db + "/restores/" + restoreId).json();
		assertThat(failed.path("status").asString()).isEqualTo("error");
		assertThat(failed.path("error").asString()).isEqualTo(JobExecutions.INTERRUPTED);
		assertThat(failed.path("target_state").asString()).as(failed.toString())
			.contains("given its role back and kept the data it had before");
		assertThat(primary.info("replication").get("role")).isEqualTo("master");
		assertOwnMasterAuth(primary);
		try (Jedis jedis = primary.jedis()) {
			jedis.set("writable", "again");
			assertThat(RedisDataset.differences(data, RedisDataset.snapshot(jedis))).containsOnlyKeys("0:writable");
		}
		for (RedisServerProcess sentinel : this.redis.sentinels()) {
			try (Jedis jedis = sentinel.jedis()) {
				Map<String, String> master = jedis.sentinelMaster(RedisTopology.MASTER_NAME);
				assertThat(master.get("down-after-milliseconds")).isEqualTo(held.get(sentinel.address()));
				assertThat(master.get("port")).as("no failover happened").isEqualTo(String.valueOf(primary.port()));
			}
		}
		assertThat(this.recovery.recover(this.instanceTimeout.stoppedNow())).as("a recorded restore is not recovered twice").isZero();

		ApiClient.Response again = RestoreSupport.start(operator(), db, "{\"target\": \"in_place\"}");
		assertThat(again.status()).as(again.body()).isEqualTo(202);
		JsonNode restored = awaitRestoreFinished(operator(), db, again.text("id"));
		assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
		try (Jedis jedis = primary.jedis()) {
			await().atMost(Duration.ofSeconds(10)).until(() -> !jedis.exists("writable"));
			assertThat(RedisDataset.differences(data, RedisDataset.snapshot(jedis))).isEmpty();
		}
		assertOwnMasterAuth(primary);
	}

	/** What the primary replicates with should a failover make it a replica: its own, not a listener's. */
	private static void assertOwnMasterAuth(RedisServerProcess primary) {
		try (Jedis jedis = primary.jedis()) {
			assertThat(jedis.configGet("masteruser").get("masteruser")).isEmpty();
			assertThat(jedis.configGet("masterauth").get("masterauth")).isEqualTo(PASSWORD);
		}
	}

	private String insertRunningRestore(String db, Map<String, Object> journal) {
		String id = "interrupted-" + System.nanoTime();
		this.jdbc.sql("""
				insert into restores (id, database_id, target, target_database, status, created_at, started_at,
				    instance_id, recovery)
				values (?, ?, 'in_place', ?, 'running', ?, ?, 'instance-that-stopped', cast(? as jsonb))
				""")
			.params(id, db, db, Timestamp.from(Instant.now().minus(10, ChronoUnit.MINUTES)),
					Timestamp.from(Instant.now().minus(9, ChronoUnit.MINUTES)), JsonMapper.shared().writeValueAsString(journal))
			.update();
		return id;
	}

}
