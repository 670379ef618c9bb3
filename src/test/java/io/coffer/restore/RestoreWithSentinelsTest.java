package io.coffer.restore;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A primary with a replica and three sentinels: while the primary replicates from Coffer the sentinels
 * are held off, so no failover happens; afterwards they name the same primary, their settings are back,
 * and the replica resyncs to the restored data by itself.
 */
class RestoreWithSentinelsTest extends IntegrationTest {

	private static final String PASSWORD = "sentinel-restore-secret";

	@Autowired
	JdbcClient jdbc;

	private RedisTopology redis;

	private final List<String> sentinelEvents = new CopyOnWriteArrayList<>();

	private final List<JedisPubSub> subscriptions = new CopyOnWriteArrayList<>();

	@BeforeEach
	void startRedis() {
		this.redis = RedisTopology.primaryWithReplica().password(PASSWORD).withSentinels(3).start();
	}

	@AfterEach
	void stopRedis() {
		this.subscriptions.forEach(JedisPubSub::punsubscribe);
		this.redis.close();
	}

	@Test
	@SuppressWarnings("unchecked")
	void noFailoverHappensAndTheReplicaEndsEqualToThePrimary() {
		RedisServerProcess primary = this.redis.primary();
		RedisServerProcess replica = this.redis.replica();
		RedisDataset.write(primary);
		awaitSameDigest(primary, replica);
		String db = RestoreSupport.registerWithSentinels(operator(), this.redis, "restore-sentinels", PASSWORD);
		JsonNode backup = backUp(db);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		Map<Integer, Map<String, String>> expected;
		try (Jedis jedis = primary.jedis()) {
			expected = RedisDataset.snapshot(jedis);
			jedis.flushAll();
		}
		awaitSameDigest(primary, replica);
		listenToSentinels();

		ApiClient.Response launched = RestoreSupport.start(operator(), db, "{\"target\": \"in_place\"}");
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

		assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
		assertThat(finished.path("checks").path("load").path("sentinels_held").asInt()).isEqualTo(3);
		assertThat(finished.path("checks").path("load").has("sentinel_problems")).isFalse();
		// what another instance would have undone, had this one stopped: journaled as the load went
		Map<String, Object> journal = this.jdbc.sql("select recovery from restores where id = ?")
			.param(launched.text("id"))
			.query((rs, i) -> JsonMapper.shared().readValue(rs.getString(1), Map.class))
			.single();
		assertThat(journal).containsEntry(DumpLoader.JOURNAL_PHASE, "done")
			.containsEntry(DumpLoader.JOURNAL_NODE, primary.address())
			.containsEntry(DumpLoader.JOURNAL_MASTER_NAME, RedisTopology.MASTER_NAME);
		assertThat((Map<String, Object>) journal.get(DumpLoader.JOURNAL_SENTINELS)).hasSize(3).containsValue("1000");
		try (Jedis jedis = primary.jedis()) {
			assertThat(RedisDataset.differences(expected, RedisDataset.snapshot(jedis))).isEmpty();
		}
		for (RedisServerProcess sentinel : this.redis.sentinels()) {
			try (Jedis jedis = sentinel.jedis()) {
				assertThat(jedis.sentinelGetMasterAddrByName(RedisTopology.MASTER_NAME))
					.containsExactly(primary.host(), String.valueOf(primary.port()));
				assertThat(jedis.sentinelMaster(RedisTopology.MASTER_NAME).get("down-after-milliseconds"))
					.isEqualTo("1000");
			}
		}
		assertThat(primary.info("replication").get("role")).isEqualTo("master");
		awaitSameDigest(primary, replica);
		try (Jedis jedis = replica.jedis()) {
			assertThat(RedisDataset.differences(expected, RedisDataset.snapshot(jedis))).isEmpty();
		}
		this.redis.awaitSentinelsAgree(primary, replica);
		// each sentinel was told to hold off for the load timeout, then given its setting back
		assertThat(this.sentinelEvents).as("sentinel events during the restore")
			.filteredOn((event) -> event.startsWith("+set") && event.contains("down-after-milliseconds 3600000"))
			.hasSize(3);
		assertThat(this.sentinelEvents).filteredOn((event) -> event.startsWith("+set")
				&& event.contains("down-after-milliseconds 1000"))
			.hasSize(3);
		assertThat(this.sentinelEvents).as("sentinel events during the restore")
			.noneMatch((event) -> event.startsWith("+switch-master") || event.startsWith("+odown")
					|| event.startsWith("+try-failover") || event.startsWith("+sdown master"));
	}

	/** Every event each sentinel publishes from now on, as "channel message". */
	private void listenToSentinels() {
		for (RedisServerProcess sentinel : this.redis.sentinels()) {
			JedisPubSub subscription = new JedisPubSub() {
				@Override
				public void onPMessage(String pattern, String channel, String message) {
					RestoreWithSentinelsTest.this.sentinelEvents.add(channel + " " + message);
				}
			};
			this.subscriptions.add(subscription);
			Thread listener = new Thread(() -> {
				try (Jedis jedis = new Jedis(sentinel.host(), sentinel.port())) {
					jedis.psubscribe(subscription, "*");
				}
				catch (RuntimeException ex) {
					// the sentinel stopped at the end of the test
				}
			}, "sentinel-events-" + sentinel.port());
			listener.setDaemon(true);
			listener.start();
			await().atMost(Duration.ofSeconds(10)).until(subscription::isSubscribed);
		}
	}

	private static void awaitSameDigest(RedisServerProcess primary, RedisServerProcess replica) {
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> primary.digest().equals(replica.digest())
					&& "up".equals(replica.info("replication").get("master_link_status")));
	}

}
