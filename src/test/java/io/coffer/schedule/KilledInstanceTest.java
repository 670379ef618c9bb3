package io.coffer.schedule;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import io.coffer.storage.BlobStore;
import io.coffer.storage.EmbeddedS3Server;
import io.coffer.storage.S3BlobStore;
import io.coffer.storage.S3Settings;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferCluster;
import io.coffer.testsupport.CofferJvm;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of Coffer as separate processes (one cluster for the whole class, its JVMs being slow to
 * start), and instances stopped the way machines stop them:
 * <ul>
 * <li>{@code SIGSTOP} of the instance running a periodic backup, longer than the instance timeout: the other
 * one records it as interrupted and runs it again; once resumed, the frozen one cannot commit it (its
 * compare-and-set on the row fails), its upload is aborted and it logs why;</li>
 * <li>{@code kill -9} of an instance while it runs some of the periodic backups of 50 databases, all due
 * within 20 seconds: every database still gets exactly one {@code done} periodic backup for that window.
 * What the dead instance had running or queued is recorded as interrupted by the survivor and run again
 * within the misfire grace; nothing runs twice.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KilledInstanceTest {

	static final int DATABASES = 50;

	private final List<RedisServerProcess> redis = new ArrayList<>();

	private CofferCluster cluster;

	private List<CofferJvm> instances;

	private JdbcClient catalogue;

	@BeforeAll
	void startCluster() throws Exception {
		for (int i = 0; i < 5; i++) {
			RedisServerProcess server = RedisServerProcess.start();
			fill(server, 20_000 + 5_000 * i);
			this.redis.add(server);
		}
		this.cluster = periodicCluster("killed");
		this.instances = this.cluster.start(2);
		this.catalogue = this.cluster.catalogue();
	}

	@AfterAll
	void stop() {
		if (this.cluster != null) {
			this.cluster.close();
		}
		this.redis.forEach(RedisServerProcess::close);
	}

	@Test
	@Order(1)
	void aFrozenInstanceWhoseBackupWasTakenOverCannotCommitItWhenItResumes() throws Exception {
		try (RedisServerProcess big = RedisServerProcess.start()) {
			fillRandom(big, 64);
			List<String> databases = register(this.instances, List.of(big), 1);
			String db = databases.get(0);
			Instant windowStart = dueWithin(this.catalogue, databases, Duration.ofSeconds(1));

			Map<String, Object> running = await().atMost(Duration.ofMinutes(3))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> this.catalogue.sql("""
						select id, instance_id, object_key from backups where database_id = ? and status = 'running'
						and bytes_processed > 0""").param(db).query().listOfRows(), (rows) -> !rows.isEmpty())
				.get(0);
			CofferJvm frozen = instance((String) running.get("instance_id"));
			frozen.freeze();
			String frozenBackup = (String) running.get("id");
			try {
				await().atMost(Duration.ofMinutes(5))
					.pollInterval(Duration.ofMillis(500))
					.until(() -> databasesWithDone(this.catalogue, databases, windowStart) == 1);
			}
			finally {
				frozen.resume();
			}
			await().atMost(Duration.ofMinutes(3))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> frozen.log().contains("Backup " + frozenBackup + " of " + db + " stopped"));

			assertThat(frozen.log()).contains("backup " + frozenBackup + " was taken over");
			List<Map<String, Object>> rows = this.catalogue.sql("""
					select id, status, error, instance_id from backups where database_id = ? order by created_at""")
				.param(db)
				.query()
				.listOfRows();
			assertThat(rows).filteredOn((row) -> row.get("status").equals("done")).singleElement()
				.satisfies((done) -> assertThat(done.get("instance_id")).isNotEqualTo(frozen.name()));
			assertThat(rows).filteredOn((row) -> row.get("id").equals(frozenBackup)).singleElement()
				.satisfies((row) -> {
					assertThat(row.get("status")).isEqualTo("error");
					assertThat((String) row.get("error")).contains("interrupted");
				});
			BlobStore store = bucket();
			String frozenKey = (String) running.get("object_key");
			assertThat(store.stat(frozenKey)).as("the frozen instance's object").isEmpty();
			assertThat(store.pendingUploads(frozenKey)).as("the frozen instance's upload").isEmpty();
		}
	}

	@Test
	@Order(2)
	void aKilledInstanceLeavesNoDatabaseWithoutItsPeriodicBackupAndNoneWithTwo() throws Exception {
		List<CofferJvm> instances = this.instances;
		JdbcClient catalogue = this.catalogue;
		List<String> databases = register(instances, this.redis, DATABASES);

		Instant windowStart = dueWithin(catalogue, databases, Duration.ofSeconds(20));

		// kill -9 the instance that has backups in flight once a fifth of the window is done
		CofferJvm victim = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() -> {
			if (databasesWithDone(catalogue, databases, windowStart) < DATABASES / 5) {
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

		await().atMost(Duration.ofMinutes(5))
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
	static Instant dueWithin(JdbcClient catalogue, List<String> databases, Duration window) {
		Instant start = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
		int moved = catalogue.sql("""
				update qrtz_triggers set next_fire_time = :start + (abs(hashtext(trigger_name)) % :window) * 1000
				where trigger_group = 'database-backups' and trigger_name in (:ids) and trigger_state = 'WAITING'""")
			.param("start", start.toEpochMilli())
			.param("window", window.toSeconds())
			.param("ids", databases)
			.update();
		assertThat(moved).as("periodic triggers moved into the window").isEqualTo(databases.size());
		return start;
	}

	private CofferJvm instance(String name) {
		return this.instances.stream().filter((jvm) -> jvm.name().equals(name)).findFirst().orElseThrow();
	}

	/** The cluster's bucket, as Coffer reads it. */
	private BlobStore bucket() throws java.io.IOException {
		EmbeddedS3Server s3 = CofferTestServices.get().s3();
		return new S3BlobStore(S3Settings.of(s3.endpoint(), s3.accessKey(), s3.secretKey(), this.cluster.bucket()))
			.start();
	}

	/** Incompressible values, {@code megabytes} of them: a backup that takes a while to upload. */
	static void fillRandom(RedisServerProcess server, int megabytes) {
		Random random = new Random(7);
		try (Jedis jedis = server.jedis()) {
			Pipeline pipeline = jedis.pipelined();
			for (int i = 0; i < megabytes; i++) {
				byte[] value = new byte[1024 * 1024];
				random.nextBytes(value);
				pipeline.set(("random:" + i).getBytes(), value);
			}
			pipeline.sync();
		}
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
