package io.coffer.pitr;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17's accuracy test: a writer sets {@code w:<n>} to its own clock and increments a counter, 200 writes
 * a second, one in ten as a MULTI/EXEC block that also sets {@code blk:<n>}; for three times T the database is
 * restored into a new one, which holds exactly the writes acknowledged before T − ε and none sent after T + ε,
 * in the order they were made, and each block whole or not at all (ε as docs/DESIGN.md gives it).
 */
class PointInTimeAccuracyTest extends IntegrationTest {

	private static final String PASSWORD = "accuracy-secret";

	/** The accuracy bound the documentation gives. */
	private static final Duration EPSILON = Duration.ofMillis(100);

	private static final long WRITE_PERIOD_NANOS = 5_000_000;

	private static final Duration WRITING = Duration.ofSeconds(40);

	/** When write n was sent, and when its acknowledgement came back (ms since the epoch). */
	private record Write(int n, long sentAt, long acknowledgedAt, boolean block) {
	}

	@Test
	void aRestoreToATimeHoldsExactlyTheWritesMadeBeforeIt() throws Exception {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess first = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess second = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess third = RedisServerProcess.startWithPassword(PASSWORD)) {
			String suffix = String.valueOf(System.nanoTime() % 100_000);
			String db = registerDatabase("accuracy-" + suffix, PASSWORD, "stream", source.port()).text("id");
			List<String> targets = new ArrayList<>();
			for (RedisServerProcess target : List.of(first, second, third)) {
				targets.add(registerDatabase("accuracy-copy-" + targets.size() + "-" + suffix, PASSWORD, "stream",
						target.port()).text("id"));
			}
			ApiClient operator = operator();
			assertThat(operator.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": true}").status()).isEqualTo(200);
			try {
				await().atMost(Duration.ofSeconds(60))
					.until(() -> operator.get("/api/v1/databases/" + db + "/pitr").json().path("segments").asInt() > 0
							|| source.info("replication").get("connected_slaves").equals("1"));
				List<Write> writes = write(source);
				long started = writes.get(0).sentAt();
				List<Instant> times = List.of(Instant.ofEpochMilli(started + 10_000 + 7),
						Instant.ofEpochMilli(started + 20_000 + 433), Instant.ofEpochMilli(started + 30_000 + 911));
				await().atMost(Duration.ofSeconds(60)).until(() -> {
					String to = operator.get("/api/v1/databases/" + db + "/pitr").json().path("recoverable_to").asString();
					return !to.isEmpty() && !Instant.parse(to).isBefore(times.get(2));
				});
				List<RedisServerProcess> copies = List.of(first, second, third);
				for (int i = 0; i < times.size(); i++) {
					Instant at = times.get(i);
					JsonNode restore = restore(operator, db, """
							{"at": "%s", "target": "new_database", "target_database": "%s"}"""
						.formatted(at, targets.get(i)));
					assertThat(Instant.parse(restore.path("at").asString())).isEqualTo(at);
					assertThat(restore.path("checks").path("load").path("replayed").asLong()).as(restore.toString())
						.isPositive();
					assertHoldsExactlyTheWritesOf(copies.get(i), writes, at);
				}
			}
			finally {
				operator.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": false}");
				await().atMost(Duration.ofSeconds(20))
					.until(() -> source.info("replication").get("connected_slaves").equals("0"));
			}
		}
	}

	private static void assertHoldsExactlyTheWritesOf(RedisServerProcess copy, List<Write> writes, Instant at) {
		long t = at.toEpochMilli();
		try (Jedis jedis = copy.jedis()) {
			int present = 0;
			boolean gapSeen = false;
			for (Write write : writes) {
				String value = jedis.get("w:" + write.n());
				if (write.acknowledgedAt() < t - EPSILON.toMillis()) {
					assertThat(value).as("write %d, acknowledged %d ms before %s", write.n(), t - write.acknowledgedAt(),
							at).isEqualTo(String.valueOf(write.sentAt()));
				}
				if (write.sentAt() > t + EPSILON.toMillis()) {
					assertThat(value).as("write %d, sent %d ms after %s", write.n(), write.sentAt() - t, at).isNull();
				}
				if (write.block()) {
					assertThat(jedis.get("blk:" + write.n())).as("the block of write %d is whole or absent", write.n())
						.isEqualTo(value);
				}
				if (value != null) {
					assertThat(gapSeen).as("write %d is present after an absent one", write.n()).isFalse();
					present++;
				}
				else {
					gapSeen = true;
				}
			}
			long counter = Long.parseLong(jedis.get("counter"));
			// a time between a plain write's SET and its INCR leaves the counter one behind
			assertThat(counter).isBetween(present - 1L, (long) present);
		}
	}

	/** Writes for {@link #WRITING} at 200 a second; answers every write made, in order. */
	private static List<Write> write(RedisServerProcess source) throws Exception {
		List<Write> writes = new ArrayList<>();
		try (Jedis jedis = source.jedis()) {
			long next = System.nanoTime();
			long end = next + WRITING.toNanos();
			for (int n = 0; System.nanoTime() < end; n++) {
				LockSupport.parkNanos(next - System.nanoTime());
				next += WRITE_PERIOD_NANOS;
				boolean block = n % 10 == 0;
				long sentAt = System.currentTimeMillis();
				if (block) {
					Transaction transaction = jedis.multi();
					transaction.set("w:" + n, String.valueOf(sentAt));
					transaction.set("blk:" + n, String.valueOf(sentAt));
					transaction.incr("counter");
					transaction.exec();
				}
				else {
					jedis.set("w:" + n, String.valueOf(sentAt));
					jedis.incr("counter");
				}
				writes.add(new Write(n, sentAt, System.currentTimeMillis(), block));
			}
		}
		return writes;
	}

}
