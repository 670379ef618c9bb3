package io.coffer.pitr;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.coffer.catalog.Backup;
import io.coffer.catalog.PitrRepository;
import io.coffer.redis.ReplicaAnnouncement;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A primary, its replica and three real sentinels: the archiver reads the replica, follows a failover
 * ({@code SENTINEL FAILOVER}) to the new replica and then, when that node goes away, to the primary, and the archived stream goes on without a
 * gap, byte after byte, across the change of replication id. The sentinels never list its connection as a
 * replica, even while it reads a primary they monitor.
 */
class ArchiverFailoverTest extends ArchivingTest {

	private static final String PASSWORD = "failover-archiver-secret";

	private RedisTopology redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisTopology.primaryWithReplica().password(PASSWORD).withSentinels(3).start();
		register("pitr-failover", PASSWORD, this.redis);
	}

	@Test
	void theArchiveFollowsAFailoverWithoutAGapAndSentinelsNeverListTheArchiver() throws Exception {
		RedisServerProcess first = this.redis.primary();
		RedisServerProcess second = this.redis.replica();
		setPitr(true);
		Backup base = awaitBase();
		await().atMost(Duration.ofSeconds(20)).until(() -> listsTheArchiver(second));
		assertThat(listsTheArchiver(first)).as("the archiver reads the replica, not the primary").isFalse();

		write(first, 0, 100);
		ArchivedSegments archived = archived();
		await().atMost(Duration.ofSeconds(30)).until(() -> archived.holdsSet("w:99", "v99"));

		try (Jedis sentinel = this.redis.sentinels().get(0).jedis()) {
			sentinel.sentinelFailover(RedisTopology.MASTER_NAME);
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> this.redis.currentPrimary() == second);
		this.redis.awaitSentinelsAgree(second, first);
		// as backups would: the replica (now the old primary), within a recheck once it is a healthy replica
		await().atMost(NodeToArchive.RECHECK.multipliedBy(3)).until(() -> listsTheArchiver(first));
		write(second, 100, 200);
		await().atMost(Duration.ofSeconds(60)).until(() -> archived.holdsSet("w:199", "v199"));

		// the node it reads now goes away: it reads the new primary, which the sentinels watch
		first.stop();
		write(second, 200, 300);
		await().atMost(Duration.ofSeconds(60)).until(() -> archived.holdsSet("w:299", "v299"));
		assertThat(listsTheArchiver(second)).isTrue();
		long connectedAt = System.currentTimeMillis();
		await().atMost(Duration.ofSeconds(40)).until(() -> everySentinelReadTheNodeSince(connectedAt));
		for (RedisServerProcess sentinel : this.redis.sentinels()) {
			try (Jedis jedis = sentinel.jedis()) {
				List<Map<String, String>> replicas = jedis.sentinelReplicas(RedisTopology.MASTER_NAME);
				assertThat(replicas).as("replicas sentinel %s lists", sentinel)
					.noneMatch((replica) -> ReplicaAnnouncement.isCoffers(replica.get("ip"),
							Integer.parseInt(replica.get("port"))));
			}
		}

		assertThat(this.pitr.gaps(this.db)).as("gaps").isEmpty();
		List<PitrRepository.Segment> segments = this.pitr.segments(this.db);
		assertThat(segments.get(0).startOffset()).isEqualTo(base.replication().offset() + 1);
		archived.assertContiguous();
		Set<String> histories = segments.stream().map(PitrRepository.Segment::replid).collect(Collectors.toSet());
		assertThat(histories).as("replication ids before and after the failover").hasSizeGreaterThanOrEqualTo(2);
		String text = archived.text();
		for (int n = 0; n < 300; n++) {
			assertThat(text).contains(ArchivedSegments.set("w:" + n, "v" + n));
		}
		assertThat(this.owner.get("/api/v1/databases/" + this.db + "/pitr").json().path("gaps").isEmpty()).isTrue();
	}

	private static void write(RedisServerProcess primary, int from, int to) {
		try (Jedis jedis = primary.jedis()) {
			for (int n = from; n < to; n++) {
				jedis.set("w:" + n, "v" + n);
			}
		}
	}

	/** Whether the node lists a replica connection under the archiver's name (and no port). */
	private static boolean listsTheArchiver(RedisServerProcess node) {
		return node.info("replication")
			.values()
			.stream()
			.anyMatch((line) -> line.startsWith("ip=" + ReplicaAnnouncement.ARCHIVER + ",port=0,state=online"));
	}

	/** Whether every sentinel read the primary's INFO (and so its replica lines) after {@code since}. */
	private boolean everySentinelReadTheNodeSince(long since) {
		long now = System.currentTimeMillis();
		for (RedisServerProcess sentinel : this.redis.sentinels()) {
			try (Jedis jedis = sentinel.jedis()) {
				long refreshedAgo = Long.parseLong(jedis.sentinelMaster(RedisTopology.MASTER_NAME).get("info-refresh"));
				if (now - refreshedAgo <= since) {
					return false;
				}
			}
		}
		return true;
	}

}
