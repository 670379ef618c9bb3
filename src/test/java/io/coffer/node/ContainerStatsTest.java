package io.coffer.node;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The container stats of {@code GET /stats}, as the platform shows them: read from the node's process for the
 * process driver, from INFO for a node Coffer does not run, against real redis-servers under real load.
 */
class ContainerStatsTest extends IntegrationTest {

	private static final long MIB = 1024 * 1024;

	@Test
	void cpuUsageNowRisesWhileALoadRunsAndFallsAfter() throws Exception {
		Provisioned database = provision("stats-cpu-" + Long.toString(System.nanoTime(), 36), "redis-starter-256");
		try (Jedis redis = jedis(database)) {
			assertThat(container(database.id()).path("source").asString()).isEqualTo(DatabaseStats.FROM_PROCESS);
			AtomicBoolean loading = new AtomicBoolean(true);
			ExecutorService load = Executors.newSingleThreadExecutor();
			Future<?> running = load.submit(() -> {
				try (Jedis busy = jedis(database)) {
					while (loading.get()) {
						// a script that keeps the node's one thread busy for a while at each call
						busy.eval("local n = 0 for i = 1, 3000000 do n = n + i end return n", 0);
					}
				}
			});
			try {
				await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
					.until(() -> cpu(database.id()) > 20);
			}
			finally {
				loading.set(false);
				running.get();
				load.shutdown();
			}
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
				.until(() -> cpu(database.id()) < 5);
			assertThat(redis.ping()).isEqualTo("PONG");
		}
		finally {
			operator().delete("/api/v1/databases/" + database.id() + "?final_backup=false");
		}
	}

	@Test
	void memoryCurrentAndHighestFollowDataWrittenThenDeleted() {
		Provisioned database = provision("stats-memory-" + Long.toString(System.nanoTime(), 36), "redis-starter-256");
		try (Jedis redis = jedis(database)) {
			JsonNode before = container(database.id());
			long start = before.path("memory").path("current").asLong();
			assertThat(start).isPositive();
			assertThat(before.path("memory").path("free").asLong()).isEqualTo(256 * MIB - start);
			assertThat(before.path("swap").path("current").isIntegralNumber()).as(before.toString()).isTrue();
			assertThat(before.path("swap").path("highest").asLong())
				.isGreaterThanOrEqualTo(before.path("swap").path("current").asLong());
			assertThat(before.path("swap").path("free").isIntegralNumber()).as(before.toString()).isTrue();

			String value = "x".repeat(256 * 1024);
			Pipeline pipeline = redis.pipelined();
			for (int i = 0; i < 240; i++) {
				pipeline.set("big:" + i, value);
			}
			pipeline.sync();
			JsonNode written = container(database.id());
			long full = written.path("memory").path("current").asLong();
			assertThat(full).as(written.toString()).isGreaterThan(start + 50 * MIB);
			assertThat(written.path("memory").path("highest").asLong()).isGreaterThanOrEqualTo(full);
			assertThat(written.path("memory").path("free").asLong()).isEqualTo(256 * MIB - full);

			for (int i = 0; i < 240; i++) {
				redis.del("big:" + i);
			}
			// the allocator gives the freed pages back to the kernel over the following seconds
			await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
				.until(() -> container(database.id()).path("memory").path("current").asLong() < full - 40 * MIB);
			JsonNode deleted = container(database.id());
			// the highest since the node started; the kernel's per-thread counters may have shown a few pages more
			assertThat(deleted.path("memory").path("highest").asLong()).as("the highest since the node started")
				.isGreaterThanOrEqualTo(full - MIB);
			// the chart's samples of the last hour follow the same figure
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
				.until(() -> container(database.id()).path("samples").size() >= 2);
			JsonNode sample = container(database.id()).path("samples").get(0);
			assertThat(sample.path("at").isMissingNode()).isFalse();
			assertThat(sample.path("memory").asLong()).isPositive();
			assertThat(sample.path("swap").isIntegralNumber()).as(sample.toString()).isTrue();
		}
		finally {
			operator().delete("/api/v1/databases/" + database.id() + "?final_backup=false");
		}
	}

	@Test
	void aNodeCofferDoesNotRunAnswersWhatInfoGivesAndNoSwap() {
		try (RedisServerProcess node = RedisServerProcess.start()) {
			String id = registerDatabase("stats-info-" + Long.toString(System.nanoTime(), 36), "", "stream", node.port())
				.text("id");
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
				.until(() -> container(id).path("cpu_percent").isNumber());
			JsonNode container = container(id);
			assertThat(container.path("source").asString()).isEqualTo(DatabaseStats.FROM_INFO);
			long used = Long.parseLong(node.info("memory").get("used_memory"));
			assertThat(container.path("memory").path("current").asLong()).isBetween(used / 2, used * 2);
			assertThat(container.path("memory").path("highest").asLong())
				.isGreaterThanOrEqualTo(container.path("memory").path("current").asLong());
			assertThat(container.path("memory").path("free").isNull()).as("no maxmemory").isTrue();
			assertThat(container.path("swap").path("current").isNull()).as(container.toString()).isTrue();
			assertThat(container.path("swap").path("highest").isNull()).isTrue();
			assertThat(container.path("swap").path("free").isNull()).isTrue();
			operator().delete("/api/v1/databases/" + id + "?final_backup=false");
		}
	}

	private JsonNode container(String databaseId) {
		return operator().get("/api/v1/databases/" + databaseId + "/stats").json().path("container");
	}

	private double cpu(String databaseId) {
		JsonNode cpu = container(databaseId).path("cpu_percent");
		return cpu.isNumber() ? cpu.asDouble() : Double.NaN;
	}

	private static Jedis jedis(Provisioned database) {
		return new Jedis(database.url());
	}

}
