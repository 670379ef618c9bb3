package io.coffer.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.coffer.CofferApplication;
import io.coffer.backup.InterruptedBackups;
import io.coffer.catalog.InstanceTimeout;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import redis.clients.jedis.Jedis;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the service (two application contexts) against one catalogue, one object storage
 * and one keyring: each periodic backup of 50 databases runs exactly once across the cluster; an
 * instance closed while backups run leaves nothing in flight, the other finishing or recording them.
 */
class ClusterSchedulingTest {

	private final List<RedisServerProcess> redis = new ArrayList<>();

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@AfterEach
	void stop() {
		this.instances.forEach(ConfigurableApplicationContext::close);
		this.redis.forEach(RedisServerProcess::close);
	}

	@Test
	void everyBackupRunsExactlyOnceAndAStoppedInstanceLeavesNothingInFlight() throws Exception {
		for (int i = 0; i < 3; i++) {
			RedisServerProcess server = RedisServerProcess.start();
			try (Jedis jedis = server.jedis()) {
				for (int k = 0; k < 200; k++) {
					jedis.set("key:" + k, "value-" + k);
				}
			}
			this.redis.add(server);
		}
		ConfigurableApplicationContext a = start("cluster-a");
		ConfigurableApplicationContext b = start("cluster-b");
		ApiClient api = new ApiClient(port(a), CofferTestServices.ADMIN_TOKEN);
		String run = UUID.randomUUID().toString().substring(0, 6);
		List<String> databases = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			ApiClient.Response created = api.post("/api/v1/databases", """
					{"app": "cl-%s-%d", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}]}}"""
				.formatted(run, i, this.redis.get(i % 3).port()));
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			databases.add(created.text("id"));
		}
		JdbcClient jdbc = a.getBean(JdbcClient.class);

		dueSoon(a.getBean(Scheduler.class), databases);

		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> finished(jdbc, databases) == 50);
		for (String db : databases) {
			assertThat(jdbc.sql("select status from backups where database_id = ?").param(db).query(String.class).list())
				.as(db).containsExactly("done");
		}

		// a second round, fired by A alone (B stands by), and A stops while it runs them
		Scheduler bScheduler = b.getBean(Scheduler.class);
		bScheduler.standby();
		dueSoon(a.getBean(Scheduler.class), databases);
		String aId = "cluster-a";
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> jdbc
			.sql("select count(*) from backups where instance_id = ? and status in ('scheduled', 'running')")
			.param(aId)
			.query(Integer.class)
			.single() > 0);
		a.close();
		bScheduler.start();
		JdbcClient survivor = b.getBean(JdbcClient.class);
		InterruptedBackups recovery = b.getBean(InterruptedBackups.class);
		InstanceTimeout instanceTimeout = b.getBean(InstanceTimeout.class);
		await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			recovery.recover(instanceTimeout.stoppedNow());
			return survivor.sql("""
					select count(*) from backups where database_id in (:ids) and status in ('scheduled', 'running')
					""").param("ids", databases).query(Integer.class).single() == 0;
		});
		for (String db : databases) {
			List<Map<String, Object>> rows = survivor
				.sql("select status, error from backups where database_id = ? order by created_at")
				.param(db)
				.query()
				.listOfRows();
			assertThat(rows).as(db).hasSizeGreaterThanOrEqualTo(2);
			assertThat(rows.get(0).get("status")).isEqualTo("done");
			assertThat(rows.subList(1, rows.size())).as(db)
				.allMatch((row) -> row.get("status").equals("done") || row.get("error") != null);
			assertThat(rows.subList(1, rows.size())).as(db).filteredOn((row) -> row.get("status").equals("done"))
				.hasSizeLessThanOrEqualTo(1);
		}
	}

	private ConfigurableApplicationContext start(String instanceId) {
		List<String> arguments = new ArrayList<>(CofferTestServices.get().arguments());
		arguments.add("--server.port=0");
		arguments.add("--coffer.instance-id=" + instanceId);
		arguments.add("--coffer.backup.max-concurrent=2");
		arguments.add("--coffer.housekeeping.instance-timeout=20s");
		arguments.add("--spring.quartz.properties.org.quartz.jobStore.clusterCheckinInterval=1000");
		ConfigurableApplicationContext context = new SpringApplicationBuilder(CofferApplication.class)
			.run(arguments.toArray(String[]::new));
		this.instances.add(context);
		return context;
	}

	/** Each database's periodic backup due in two seconds, as its nightly trigger would be. */
	private static void dueSoon(Scheduler scheduler, List<String> databases) throws SchedulerException {
		Date soon = Date.from(Instant.now().plusSeconds(2));
		for (String db : databases) {
			scheduler.scheduleJob(TriggerBuilder.newTrigger()
				.withIdentity("due-" + db + "-" + UUID.randomUUID(), DatabaseSchedules.GROUP)
				.forJob(DatabaseSchedules.JOB)
				.usingJobData(PeriodicBackupJob.DATABASE_ID, db)
				.startAt(soon)
				.build());
		}
	}

	private static int finished(JdbcClient jdbc, List<String> databases) {
		return jdbc.sql("""
				select count(distinct database_id) from backups where database_id in (:ids) and status in ('done', 'error')
				""").param("ids", databases).query(Integer.class).single();
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
