package io.coffer.pitr;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17's accuracy test: a writer sets {@code w:<n>} to its own clock and increments a counter, 200 writes
 * a second for two minutes, one in ten as a MULTI/EXEC block that also sets {@code blk:<n>}, on a primary with a
 * replica and three sentinels, with a failover ({@code SENTINEL FAILOVER}) in the middle. The writer asks the
 * sentinels for the primary and reconnects when a write fails. For three times T (before the failover, just
 * after it, near the end) the database is restored into a new one, which holds exactly the writes acknowledged
 * before T − ε and none sent after T + ε, in the order they were made, and each block whole or not at all
 * (ε as docs/DESIGN.md gives it); the archive has no gap.
 * <p>
 * A write counts as acknowledged once the replica has it too ({@code WAIT 1}): what the old primary acknowledged
 * and never passed on before the replica was promoted is lost by Redis itself, in the database as in any copy.
 */
class PointInTimeAccuracyTest extends ArchivingTest {

	private static final String PASSWORD = "accuracy-secret";

	/** The accuracy bound the documentation gives. */
	private static final Duration EPSILON = Duration.ofMillis(100);

	private static final long WRITE_PERIOD_NANOS = 5_000_000;

	private static final Duration WRITING = Duration.ofMinutes(2);

	/** How long a write waits for the replica to have it before it is not counted as acknowledged. */
	private static final long REPLICA_WAIT_MS = 500;

	/**
	 * When write n was sent, and when its acknowledgement came back (ms since the epoch; -1 for a write that
	 * failed or that the replica did not confirm), and the node that acknowledged it.
	 */
	private record Write(int n, long sentAt, long acknowledgedAt, boolean block, int port) {

		boolean acknowledged() {
			return this.acknowledgedAt >= 0;
		}

	}

	/** What the writer did: every write it sent, in order, and when it asked the sentinels for a failover. */
	private record Writing(List<Write> writes, long failoverAt) {
	}

	@Test
	void aRestoreToATimeHoldsExactlyTheWritesMadeBeforeItAcrossAFailover() throws Exception {
		RedisTopology source = RedisTopology.primaryWithReplica().password(PASSWORD).withSentinels(3).start();
		register("accuracy", PASSWORD, source);
		try (RedisServerProcess first = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess second = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess third = RedisServerProcess.startWithPassword(PASSWORD)) {
			List<RedisServerProcess> copies = List.of(first, second, third);
			List<String> targets = new ArrayList<>();
			for (RedisServerProcess target : copies) {
				targets.add(registerDatabase("accuracy-copy-" + targets.size() + "-" + System.nanoTime() % 100_000,
						PASSWORD, "stream", target.port()).text("id"));
			}
			ApiClient operator = operator();
			setPitr(true);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> operator.get("/api/v1/databases/" + this.db + "/pitr").json().path("segments").asInt() > 0);
			Writing writing = write(source);
			List<Write> writes = writing.writes();
			assertThat(source.currentPrimary()).as("the sentinels promoted the replica").isSameAs(source.replica());
			// the failover costs a few writes, not the test its substance
			assertThat(writes.stream().filter(Write::acknowledged).count()).as("acknowledged writes")
				.isGreaterThan(writes.size() * 98L / 100);
			Write firstOnTheNewPrimary = writes.stream()
				.filter((write) -> write.acknowledged() && write.port() == source.replica().port())
				.findFirst()
				.orElseThrow();
			long started = writes.get(0).sentAt();
			long ended = writes.get(writes.size() - 1).sentAt();
			List<Instant> times = List.of(Instant.ofEpochMilli(started + 30_000 + 7),
					Instant.ofEpochMilli(firstOnTheNewPrimary.acknowledgedAt() + 433),
					Instant.ofEpochMilli(ended - 3_000 + 911));
			assertThat(times.get(0)).isBefore(Instant.ofEpochMilli(writing.failoverAt()));
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				String to = operator.get("/api/v1/databases/" + this.db + "/pitr").json().path("recoverable_to").asString();
				return !to.isEmpty() && !Instant.parse(to).isBefore(times.get(2));
			});
			JsonNode status = operator.get("/api/v1/databases/" + this.db + "/pitr").json();
			assertThat(status.path("gaps").isEmpty()).as("gaps in %s", status).isTrue();
			for (int i = 0; i < times.size(); i++) {
				Instant at = times.get(i);
				JsonNode restore = restore(operator, this.db, """
						{"at": "%s", "target": "new_database", "target_database": "%s"}"""
					.formatted(at, targets.get(i)));
				assertThat(Instant.parse(restore.path("at").asString())).isEqualTo(at);
				assertThat(restore.path("checks").path("load").path("replayed").asLong()).as(restore.toString())
					.isPositive();
				assertHoldsExactlyTheWritesOf(copies.get(i), writes, at);
			}
		}
	}

	private static void assertHoldsExactlyTheWritesOf(RedisServerProcess copy, List<Write> writes, Instant at) {
		long t = at.toEpochMilli();
		try (Jedis jedis = copy.jedis()) {
			long acknowledgedBefore = 0;
			long sentBefore = 0;
			boolean absentSeen = false;
			for (Write write : writes) {
				String value = jedis.get("w:" + write.n());
				if (write.acknowledged() && write.acknowledgedAt() < t - EPSILON.toMillis()) {
					assertThat(value).as("write %d, acknowledged %d ms before %s", write.n(), t - write.acknowledgedAt(),
							at).isEqualTo(String.valueOf(write.sentAt()));
					acknowledgedBefore++;
				}
				if (write.sentAt() > t + EPSILON.toMillis()) {
					assertThat(value).as("write %d, sent %d ms after %s", write.n(), write.sentAt() - t, at).isNull();
				}
				else {
					sentBefore++;
				}
				if (value != null) {
					assertThat(value).as("write %d", write.n()).isEqualTo(String.valueOf(write.sentAt()));
				}
				if (write.block()) {
					assertThat(jedis.get("blk:" + write.n())).as("the block of write %d is whole or absent", write.n())
						.isEqualTo(value);
				}
				if (write.acknowledged()) {
					if (value != null) {
						assertThat(absentSeen).as("acknowledged write %d is present after an absent one", write.n())
							.isFalse();
					}
					else {
						absentSeen = true;
					}
				}
			}
			String counter = jedis.get("counter");
			assertThat((counter != null) ? Long.parseLong(counter) : 0).as("the counter at %s", at)
				.isBetween(acknowledgedBefore, sentBefore);
		}
	}

	/**
	 * Writes for {@link #WRITING} at 200 a second through the primary the sentinels name, asking them for a
	 * failover halfway; answers every write sent, in order.
	 */
	private static Writing write(RedisTopology redis) {
		List<Write> writes = new ArrayList<>();
		long failoverAt = -1;
		RedisServerProcess primary = redis.currentPrimary();
		Jedis jedis = primary.jedis();
		try {
			long next = System.nanoTime();
			long halfway = next + WRITING.toNanos() / 2;
			long end = next + WRITING.toNanos();
			for (int n = 0; System.nanoTime() < end; n++) {
				LockSupport.parkNanos(next - System.nanoTime());
				next += WRITE_PERIOD_NANOS;
				if (failoverAt < 0 && System.nanoTime() >= halfway) {
					failoverAt = System.currentTimeMillis();
					try (Jedis sentinel = redis.sentinels().get(0).jedis()) {
						sentinel.sentinelFailover(RedisTopology.MASTER_NAME);
					}
				}
				boolean block = n % 10 == 0;
				long sentAt = System.currentTimeMillis();
				long acknowledgedAt = -1;
				try {
					if (block) {
						Transaction transaction = jedis.multi();
						transaction.set("w:" + n, String.valueOf(sentAt));
						transaction.set("blk:" + n, String.valueOf(sentAt));
						transaction.incr("counter");
						assertThat(transaction.exec()).hasSize(3);
					}
					else {
						jedis.set("w:" + n, String.valueOf(sentAt));
						jedis.incr("counter");
					}
					if (jedis.waitReplicas(1, REPLICA_WAIT_MS) >= 1) {
						acknowledgedAt = System.currentTimeMillis();
					}
				}
				catch (JedisException ex) {
					// the primary went away or became a replica: ask the sentinels again
					jedis.close();
					primary = redis.currentPrimary();
					jedis = primary.jedis();
				}
				writes.add(new Write(n, sentAt, acknowledgedAt, block, primary.port()));
			}
		}
		finally {
			jedis.close();
		}
		return new Writing(writes, failoverAt);
	}

}
