package io.coffer.schedule;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferCluster;
import io.coffer.testsupport.CofferJvm;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of Coffer as separate processes, 50 databases whose periodic backups all fall due within 20
 * seconds, and one instance killed with {@code kill -9} while it runs some of them: every database still
 * gets exactly one {@code done} periodic backup for that window. What the dead instance had running or
 * queued is marked interrupted by the survivor and run again, within the misfire grace; nothing runs twice.
 */
class KilledInstanceTest {

	static final int DATABASES = 50;

	private final List<RedisServerProcess> redis = new ArrayList<>();

	private CofferCluster cluster;

	@AfterEach
	void stop() {
		if (this.cluster != null) {
			this.cluster.close();
		}
		this.redis.forEach(RedisServerProcess::close);
	}

	@Test
	void aKilledInstanceLeavesNoDatabaseWithoutItsPeriodicBackupAndNoneWithTwo() throws Exception {
		for (int i = 0; i < 5; i++) {
			RedisServerProcess server = RedisServerProcess.start();
			fill(server, 20_000 + 5_000 * i);
			this.redis.add(server);
		}
		this.cluster = periodicCluster("killed");
		List<CofferJvm> instances = this.cluster.start(2);
		JdbcClient catalogue = this.cluster.catalogue();
		List<String> databases = register(instances, this.redis, DATABASES);

		Instant windowStart = dueWithin(catalogue, Duration.ofSeconds(20));

		// kill -9 the instance that has backups in flight once a fifth of the window is done
		CofferJvm victim = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
			if (doneSince(catalogue, windowStart) < DATABASES / 5) {
				return null;
			}
			for (CofferJvm instance : instances) {
				if (inFlightOf(catalogue, instance.name()) >= 1) {
					return instance;
				}
			}
			return null;
		}, (found) -> found != null);
		int leftInFlight = inFlightOf(catalogue, victim.name());
		victim.kill();
		assertThat(leftInFlight).as("backups in flight on the killed instance").isPositive();

		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(500))
			.failFast(() -> instances.stream().noneMatch(CofferJvm::isAlive))
			.until(() -> databasesWithDone(catalogue, databases, windowStart) == DATABASES
					&& inFlight(catalogue, databases) == 0);

		for (String db : databases) {
			assertThat(catalogue.sql("""
					select count(*) from backups where database_id = ? and method = 'periodic' and status = 'done'
					and created_at >= ?""").params(db, Timestamp.from(windowStart)).query(Integer.class).single())
				.as("done periodic backups of %s in the window", db)
				.isEqualTo(1);
		}
		assertThat(catalogue.sql("select count(*) from backups where status = 'error' and error like '%interrupted%'")
			.query(Integer.class)
			.single()).as("backups of the killed instance recorded as interrupted").isPositive();
	}

	/** A cluster whose databases are backed up periodically, recovering interrupted work every 2 seconds. */
	static CofferCluster periodicCluster(String name) {
		// the window itself is half a day away: the test moves each trigger to the moment it wants
		LocalTime farAway = LocalTime.now(ZoneOffset.UTC).plusHours(12).truncatedTo(ChronoUnit.MINUTES);
		return CofferCluster.named(name)
			.with("coffer.schedule.default-enabled", "true")
			.with("coffer.schedule.window-start", farAway.toString())
			.with("coffer.schedule.misfire-grace", "3m")
			.with("coffer.schedule.retry-backoff", "1s")
			.with("coffer.housekeeping.instance-timeout", "6s")
			.with("coffer.backup.max-concurrent", "2")
			.withSchedule("recover-interrupted-work.yml", """
					job: recoverInterruptedWorkJob
					cron: "*/2 * * * * ?"
					time-zone: UTC
					""");
	}

	static List<String> register(List<CofferJvm> instances, List<RedisServerProcess> nodes, int count) {
		String run = UUID.randomUUID().toString().substring(0, 6);
		List<String> databases = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ApiClient api = instances.get(i % instances.size()).api(CofferTestServices.ADMIN_TOKEN);
			ApiClient.Response created = api.post("/api/v1/databases", """
					{"app": "k-%s-%d", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}]}}"""
				.formatted(run, i, nodes.get(i % nodes.size()).port()));
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			databases.add(created.text("id"));
		}
		return databases;
	}

	/**
	 * Moves every database's periodic trigger to a second of the next {@code window}, as a nightly window
	 * that starts now would have them: Quartz fires them from the catalogue, on whichever instance acquires
	 * them first. Answers when the window starts.
	 */
	static Instant dueWithin(JdbcClient catalogue, Duration window) {
		Instant start = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
		int moved = catalogue.sql("""
				update qrtz_triggers set next_fire_time = :start + (abs(hashtext(trigger_name)) % :window) * 1000
				where trigger_group = 'database-backups' and trigger_state = 'WAITING'""")
			.param("start", start.toEpochMilli())
			.param("window", window.toSeconds())
			.update();
		assertThat(moved).as("periodic triggers moved into the window").isEqualTo(
				catalogue.sql("select count(*) from qrtz_triggers where trigger_group = 'database-backups'")
					.query(Integer.class)
					.single());
		return start;
	}

	static void fill(RedisServerProcess server, int keys) {
		try (Jedis jedis = server.jedis()) {
			Pipeline pipeline = jedis.pipelined();
			for (int k = 0; k < keys; k++) {
				pipeline.set("key:" + k, "value-" + k + "-" + "x".repeat(k % 200));
			}
			pipeline.sync();
		}
	}

	static int doneSince(JdbcClient catalogue, Instant since) {
		return catalogue.sql("select count(*) from backups where status = 'done' and created_at >= ?")
			.param(Timestamp.from(since))
			.query(Integer.class)
			.single();
	}

	static int inFlightOf(JdbcClient catalogue, String instance) {
		return catalogue.sql("select count(*) from backups where instance_id = ? and status in ('scheduled', 'running')")
			.param(instance)
			.query(Integer.class)
			.single();
	}

	static int inFlight(JdbcClient catalogue, List<String> databases) {
		return catalogue.sql("""
				select count(*) from backups where database_id in (:ids) and status in ('scheduled', 'running')""")
			.param("ids", databases)
			.query(Integer.class)
			.single();
	}

	static int databasesWithDone(JdbcClient catalogue, List<String> databases, Instant since) {
		return catalogue.sql("""
				select count(distinct database_id) from backups where database_id in (:ids) and status = 'done'
				and method = 'periodic' and created_at >= :since""")
			.param("ids", databases)
			.param("since", Timestamp.from(since))
			.query(Integer.class)
			.single();
	}


}
