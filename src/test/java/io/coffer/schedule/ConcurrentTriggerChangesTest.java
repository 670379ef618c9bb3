package io.coffer.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances starting together reconcile the same triggers at once: every change must hold Quartz's lock,
 * so that none of them fails on another's insert and every database ends with the trigger its row asks for.
 */
class ConcurrentTriggerChangesTest extends IntegrationTest {

	private static final String PASSWORD = "trigger-race-secret";

	private static RedisServerProcess redis;

	@Autowired
	DatabaseSchedules schedules;

	@Autowired
	DatabaseRepository databases;

	@Autowired
	Scheduler scheduler;

	@Autowired
	JdbcClient jdbc;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void triggersMadeFromManyThreadsAtOnceAllExistAsTheRowsAsk() throws Exception {
		List<Database> registered = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			String id = registerDatabase("trigger-race-" + i, PASSWORD, "stream", redis.port()).text("id");
			// the suite registers databases without periodic backups; these ask for them
			this.jdbc.sql("update databases set schedule_enabled = true where id = ?").param(id).update();
			registered.add(this.databases.findLive(id).orElseThrow());
		}
		int threads = 6;
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			for (int t = 0; t < threads; t++) {
				pool.submit(() -> {
					start.await();
					for (Database database : registered) {
						try {
							this.schedules.apply(database);
						}
						catch (RuntimeException ex) {
							failures.add(ex);
						}
					}
					return null;
				});
			}
			start.countDown();
			pool.shutdown();
			assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
		}
		finally {
			pool.shutdownNow();
		}

		try {
			assertThat(failures).isEmpty();
			for (Database database : registered) {
				CronTrigger trigger = (CronTrigger) this.scheduler
					.getTrigger(DatabaseSchedules.triggerKey(database.id()));
				assertThat(trigger).as(database.id()).isNotNull();
				assertThat(trigger.getCronExpression())
					.isEqualTo(DatabaseSchedules.cron(this.schedules.timeOf(database), 24));
			}
		}
		finally {
			registered.forEach((database) -> this.schedules.remove(database.id()));
		}
	}

}
