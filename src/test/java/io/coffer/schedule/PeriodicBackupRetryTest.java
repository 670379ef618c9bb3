package io.coffer.schedule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.coffer.housekeeping.RecoverInterruptedWorkTask;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.CuttableTcpProxy;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.ServiceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Object storage down when a periodic backup falls due: the backup fails with a reason that says so, and the
 * recovery round runs it again, after a backoff that doubles at each attempt, until storage is back; then it
 * is done, once, inside the misfire grace. This class reaches the suite's object storage through a proxy it cuts.
 */
@DirtiesContext // its storage proxy closes after the class; so must its context, or it stays in the Quartz cluster
// and takes other tests' backups to a storage that is gone
class PeriodicBackupRetryTest extends ServiceTest {

	private static final CuttableTcpProxy link;

	private static final RedisServerProcess redis = RedisServerProcess.start();

	@Autowired
	Scheduler scheduler;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	RecoverInterruptedWorkTask recovery;

	static {
		try {
			link = new CuttableTcpProxy("127.0.0.1", CofferTestServices.get().s3().port());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@DynamicPropertySource
	static void ownStorage(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
		registry.add("coffer.s3.endpoint", () -> "http://127.0.0.1:" + link.port());
		PeriodicFiring.retrySoon(registry);
	}

	@AfterAll
	static void stopAll() throws IOException {
		redis.close();
		link.close();
	}

	@Test
	void aPeriodicBackupThatFailedWhileStorageWasDownIsRetriedWithBackoffAndDoneOnceItIsBack() throws Exception {
		String db = registerDatabase("retry-storage", "", "stream", redis.port()).text("id");
		Instant due = fireWithStorageDown(db);

		await().atMost(Duration.ofSeconds(60))
			.until(() -> periodicRows(db).stream().filter((row) -> row.get("status").equals("error")).count() >= 3);
		List<Map<String, Object>> failures = periodicRows(db).subList(0, 3);
		assertThat(failures).allSatisfy((row) -> {
			assertThat(row.get("status")).isEqualTo("error");
			assertThat((String) row.get("error")).containsIgnoringCase("object storage");
		});
		assertThat(failures).extracting((row) -> row.get("attempt")).containsExactly(1, 2, 3);
		assertThat(failures.get(1).get("retry_of")).isEqualTo(failures.get(0).get("id"));
		// each attempt starts once the backoff after the failure before it is over: 1 s, then 2 s
		assertThat(gap(failures.get(0), failures.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThat(gap(failures.get(1), failures.get(2))).isGreaterThanOrEqualTo(Duration.ofSeconds(2));

		link.heal();
		await().atMost(Duration.ofSeconds(60))
			.until(() -> periodicRows(db).stream().anyMatch((row) -> row.get("status").equals("done")));
		// two instances' recovery rounds at once, after it is done: neither runs it again
		CompletableFuture.allOf(CompletableFuture.runAsync(this.recovery::run),
				CompletableFuture.runAsync(this.recovery::run)).join();
		this.recovery.run();

		List<Map<String, Object>> rows = periodicRows(db);
		assertThat(rows).filteredOn((row) -> row.get("status").equals("done")).hasSize(1);
		assertThat(rows).filteredOn((row) -> !row.get("status").equals("done") && !row.get("status").equals("error"))
			.isEmpty();
		Map<String, Object> done = rows.get(rows.size() - 1);
		assertThat(done.get("status")).isEqualTo("done");
		assertThat((Integer) done.get("attempt")).isGreaterThan(3);
		assertThat(((Timestamp) done.get("created_at")).toInstant()).isBefore(due.plus(Duration.ofMinutes(5)));
	}

	@Test
	void aFailedPeriodicBackupTakenUpByTwoRecoveryRoundsAtOnceRunsAgainOnlyOnce() throws Exception {
		String db = registerDatabase("retry-race", "", "stream", redis.port()).text("id");
		fireWithStorageDown(db);
		await().atMost(Duration.ofSeconds(60))
			.until(() -> periodicRows(db).stream().anyMatch((row) -> row.get("status").equals("error")));
		link.heal();
		Instant failedAt = ((Timestamp) periodicRows(db).get(0).get("finished_at")).toInstant();
		await().until(() -> Instant.now().isAfter(failedAt.plusSeconds(1)));

		CompletableFuture.allOf(CompletableFuture.runAsync(this.recovery::run),
				CompletableFuture.runAsync(this.recovery::run)).join();

		await().atMost(Duration.ofSeconds(60))
			.until(() -> periodicRows(db).stream().anyMatch((row) -> row.get("status").equals("done")));
		List<Map<String, Object>> rows = periodicRows(db);
		assertThat(rows).extracting((row) -> row.get("attempt")).containsExactly(1, 2);
	}

	/** Storage goes away (the first bytes sent to it cut every connection, and none is let through after), then the backup falls due. */
	private Instant fireWithStorageDown(String db) throws Exception {
		try (Jedis jedis = redis.jedis()) {
			jedis.set("greeting", "hello");
		}
		link.cutAfterUpstreamBytes(0);
		return PeriodicFiring.fireNow(this.scheduler, this.recovery, db);
	}

	private List<Map<String, Object>> periodicRows(String db) {
		return this.jdbc.sql("""
				select id, status, error, attempt, retry_of, created_at, started_at, finished_at from backups
				where database_id = ? and method = 'periodic' order by created_at, id""")
			.param(db)
			.query()
			.listOfRows();
	}

	private static Duration gap(Map<String, Object> failed, Map<String, Object> next) {
		return Duration.between(((Timestamp) failed.get("finished_at")).toInstant(),
				((Timestamp) next.get("started_at")).toInstant());
	}

}
