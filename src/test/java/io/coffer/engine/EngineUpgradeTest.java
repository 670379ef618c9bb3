package io.coffer.engine;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.coffer.catalog.InstanceTimeout;
import io.coffer.redis.RedisInfo;
import io.coffer.system.CofferInstance;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static io.coffer.testsupport.ProvisionedDatabases.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Engine upgrades of provisioned databases on real nodes. This machine has one Redis version: the
 * catalogue's newer versions are the same {@code redis-server} under other paths (see
 * {@link TestEngines}), and a node's {@code executable} tells which entry it runs.
 */
class EngineUpgradeTest extends IntegrationTest {

	private static final String NEXT_PROGRAM = TestEngines.program(CofferTestServices.get().workFolder(), TestEngines.NEXT);

	@Autowired
	JdbcClient jdbc;

	@Autowired
	CofferInstance instance;

	@Autowired
	InstanceTimeout instanceTimeout;

	@Autowired
	EngineUpgrades upgrades;

	@Test
	void aStarterDatabaseIsStoppedUpgradedAndStartedWithEveryKeyAndRefusesWhatTheRulesForbid() throws Exception {
		Provisioned provisioned = provision("engine-starter", "redis-starter-256");
		String id = provisioned.id();
		ApiClient owner = withToken(provisioned.token());
		JsonNode database = provisioned.database();
		assertThat(database.path("version").asString()).isEqualTo(TestEngines.INSTALLED);
		JsonNode upgrade = database.path("upgrade");
		assertThat(texts(upgrade.path("available"))).containsExactly(TestEngines.BROKEN, TestEngines.NEXT,
				TestEngines.VALKEY);
		assertThat(upgrade.path("blocked").get(0).path("version").asString()).isEqualTo(TestEngines.NEXT_MAJOR);
		assertThat(upgrade.path("blocked").get(0).path("first").asString()).isEqualTo(TestEngines.NEXT);
		assertThat(upgrade.path("downtime").asString()).startsWith("downtime:");
		URI uri = URI.create(database.path("env").path("REDIS_URL").asString());
		String password = uri.getUserInfo().substring(id.length() + 1);
		long pid;
		try (Jedis jedis = connect(uri.getPort(), password)) {
			// RDB off, as PATCH /config leaves it: the upgrade must write the data to disk all the same
			jedis.configSet("save", "");
			jedis.configRewrite();
			for (int i = 0; i < 500; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
			jedis.select(3);
			for (int i = 0; i < 20; i++) {
				jedis.set("other-" + i, "value-" + i);
			}
			pid = Long.parseLong(info(jedis, "server").get("process_id"));
		}

		// refused with a sentence, nothing started
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"" + TestEngines.NEXT_MAJOR + "\"}"),
				422, "upgrade to " + TestEngines.NEXT + " first");
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"" + TestEngines.INSTALLED + "\"}"),
				422, "already runs " + TestEngines.INSTALLED);
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"99.0.0\"}"), 422,
				"99.0.0 is not offered");
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"latest\"}"), 400,
				"'latest' is not a version");
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": 7}"), 400, "\"version\": \"x.y.z\"");
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{}"), 400, "\"version\": \"x.y.z\"");
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade",
				"{\"version\": \"" + TestEngines.NEXT + "\", \"force\": true}"), 400, "only \"version\"");
		assertThat(owner.post("/api/v1/databases/no-such-app-1/upgrade", "{\"version\": \"" + TestEngines.NEXT + "\"}")
			.status()).isEqualTo(404);
		assertThat(operator().post("/api/v1/databases/no-such-app-1/upgrade", "{\"version\": \"" + TestEngines.NEXT + "\"}")
			.status()).isEqualTo(404);
		assertThat(this.jdbc.sql("select count(*) from engine_upgrades where database_id = ?").param(id)
			.query(Integer.class).single()).isZero();

		// a new engine that does not start: the node comes back on its old one, with its keys
		JsonNode failed = upgrade(owner, id, TestEngines.BROKEN, "failed");
		assertThat(failed.path("exit_description").asString()).contains("did not start on " + TestEngines.BROKEN)
			.contains("it runs " + TestEngines.INSTALLED + " again");
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(info(jedis, "server").get("executable")).isNotEqualTo(NEXT_PROGRAM);
			assertThat(jedis.dbSize()).isEqualTo(500);
			// its writes are no longer held
			assertThat(jedis.set("after-the-failed-upgrade", "written")).isEqualTo("OK");
			jedis.del("after-the-failed-upgrade");
		}
		assertThat(owner.get("/api/v1/databases/" + id).json().path("version").asString()).isEqualTo(TestEngines.INSTALLED);

		// a new engine that starts, loads the data, then is found to be another program: it may have written
		// the data in a format the old one cannot read, so the node stays on it, serving, and says so
		Path next = Path.of(NEXT_PROGRAM);
		Path installed = Files.readSymbolicLink(next);
		Files.delete(next);
		try {
			Files.writeString(next, "#!/bin/sh\nexec " + installed + " \"$@\"\n");
			Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rwxr-xr-x"));
			JsonNode stray = upgrade(owner, id, TestEngines.NEXT, "failed");
			assertThat(stray.path("exit_description").asString()).contains("started on " + TestEngines.NEXT + ", but")
				.contains("it stays on " + TestEngines.NEXT + ", not on " + TestEngines.INSTALLED)
				.doesNotContain("runs " + TestEngines.INSTALLED + " again");
		}
		finally {
			Files.delete(next);
			Files.createSymbolicLink(next, installed);
		}
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(jedis.dbSize()).isEqualTo(500);
			assertThat(jedis.set("after-the-failed-upgrade", "written")).isEqualTo("OK");
			jedis.del("after-the-failed-upgrade");
		}
		assertThat(this.jdbc.sql("select engine_version from nodes where database_id = ?")
			.param(id).query(String.class).single()).isEqualTo(TestEngines.NEXT);
		assertThat(owner.get("/api/v1/databases/" + id).json().path("version").asString()).isEqualTo(TestEngines.INSTALLED);

		// nodes that a configuration change is working on are not restarted under it
		this.jdbc.sql("""
				insert into config_changes (database_id, settings, requested_by, requested_at, status)
				values (?, '{"timeout": 300}'::jsonb, 'operator', now(), 'running')
				""").param(id).update();
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"" + TestEngines.NEXT + "\"}"),
				409, "a configuration change of " + id + " is under way");
		this.jdbc.sql("update config_changes set status = 'done' where database_id = ?").param(id).update();

		// one upgrade at a time, unless the one under way was left by an instance that stopped
		this.jdbc.sql("""
				insert into engine_upgrades (database_id, from_version, to_version, requested_by, requested_at,
				                             instance_id, status)
				values (?, ?, ?, 'operator', now(), ?, 'running')
				""").params(id, TestEngines.INSTALLED, TestEngines.NEXT, this.instance.id()).update();
		assertRefused(owner.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"" + TestEngines.NEXT + "\"}"),
				409, "already under way");
		this.jdbc.sql("""
				update engine_upgrades set instance_id = 'a-stopped-instance', requested_at = now() - interval '1 hour'
				where database_id = ? and status = 'running'
				""").param(id).update();

		// keys whose TTL passes while the node stops and loads again are not loaded: no reason to fail
		try (Jedis jedis = connect(uri.getPort(), password)) {
			jedis.select(1);
			for (int i = 0; i < 3000; i++) {
				jedis.psetex("expiring-" + i, 100 + i, "value-" + i);
			}
			jedis.set("lasting", "value");
		}
		long job = upgrade(owner, id, TestEngines.NEXT, "completed").path("execution").asLong();
		assertThat(this.jdbc.sql("select error from engine_upgrades where instance_id = 'a-stopped-instance'")
			.query(String.class).single()).startsWith("interrupted: the Coffer instance running it stopped");

		try (Jedis jedis = connect(uri.getPort(), password)) {
			Map<String, String> server = info(jedis, "server");
			assertThat(server.get("executable")).isEqualTo(NEXT_PROGRAM);
			assertThat(Long.parseLong(server.get("process_id"))).isNotEqualTo(pid);
			assertThat(jedis.dbSize()).isEqualTo(500);
			assertThat(jedis.get("key-499")).isEqualTo("value-499");
			jedis.select(3);
			assertThat(jedis.dbSize()).isEqualTo(20);
			jedis.select(1);
			assertThat(jedis.get("lasting")).isEqualTo("value");
			assertThat(jedis.configGet("save")).containsEntry("save", "");
			pid = Long.parseLong(server.get("process_id"));
		}
		database = owner.get("/api/v1/databases/" + id).json();
		assertThat(database.path("version").asString()).isEqualTo(TestEngines.NEXT);
		assertThat(texts(database.path("upgrade").path("available"))).containsExactly(TestEngines.NEXT_MAJOR,
				TestEngines.VALKEY);
		assertThat(database.path("upgrade").path("last").path("status").asString()).isEqualTo("done");
		Map<String, Object> recorded = this.jdbc.sql("""
				select requested_by, from_version, to_version, status, error from engine_upgrades where job_execution_id = ?
				""").param(job).query().singleRow();
		assertThat(recorded).containsEntry("requested_by", "database_token")
			.containsEntry("from_version", TestEngines.INSTALLED)
			.containsEntry("to_version", TestEngines.NEXT)
			.containsEntry("status", "done");
		assertRefused(operator().post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"" + TestEngines.INSTALLED + "\"}"),
				422, "never downgraded");

		// the supervisor brings a dead node back on its database's engine, from the dump the upgrade wrote
		long killed = pid;
		ProcessHandle.of(killed).orElseThrow().destroyForcibly();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
			try (Jedis jedis = connect(uri.getPort(), password)) {
				Map<String, String> server = info(jedis, "server");
				return Long.parseLong(server.get("process_id")) != killed && "0".equals(info(jedis, "persistence").get("loading"));
			}
		});
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(info(jedis, "server").get("executable")).isEqualTo(NEXT_PROGRAM);
			assertThat(jedis.dbSize()).isEqualTo(500);
		}
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aRegisteredDatabaseIsNotUpgradedByCoffer() {
		try (RedisServerProcess node = RedisServerProcess.startWithPassword("engine-secret")) {
			String id = registerDatabase("engine-registered", "engine-secret", "stream", node.port()).text("id");
			JsonNode database = operator().get("/api/v1/databases/" + id).json();
			// what its primary reports, though Coffer does not choose it
			assertThat(database.path("engine").asString()).isEqualTo("redis");
			assertThat(database.path("version").asString()).isEqualTo(node.info("server").get("redis_version"));
			assertThat(database.path("upgrade").path("unavailable_reason").asString()).contains("registered database");
			assertRefused(operator().post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"" + TestEngines.NEXT + "\"}"),
					422, "registered database");
			assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		}
	}

	@Test
	void backupsRestoresConfigurationChangesAndDeletionWaitForAnUpgradeAndOneLeftByAStoppedInstanceStopsHoldingThem() {
		try (RedisServerProcess node = RedisServerProcess.startWithPassword("engine-secret")) {
			String id = registerDatabase("engine-busy", "engine-secret", "stream", node.port()).text("id");
			JsonNode backup = backUp(id);
			assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
			// an upgrade in flight, of an instance that has stopped checking in with the cluster
			this.jdbc.sql("""
					insert into engine_upgrades (database_id, from_version, to_version, requested_by, requested_at,
					    instance_id, status)
					values (?, ?, ?, 'operator', now() - interval '10 minutes', 'instance-that-stopped', 'running')
					""").params(id, TestEngines.INSTALLED, TestEngines.NEXT).update();

			ApiClient.Response config = operator().patch("/api/v1/databases/" + id + "/config", "{\"aof\": true}");
			assertRefused(config, 409, "an engine upgrade of " + id + " is in progress");
			assertThat(config.text("error")).isEqualTo("database_busy");
			assertRefused(operator().post("/api/v1/databases/" + id + "/restores", "{\"target\": \"in_place\"}"), 409,
					"an engine upgrade of " + id + " is in progress");
			assertRefused(operator().post("/api/v1/databases/" + id + "/backups", ""), 409,
					"an engine upgrade of " + id + " is in progress");
			assertRefused(operator().delete("/api/v1/databases/" + id), 409, "an engine upgrade is in progress");

			assertThat(this.upgrades.recover(this.instanceTimeout.stoppedNow())).isEqualTo(1);
			assertThat(this.jdbc.sql("select error from engine_upgrades where database_id = ?").param(id)
				.query(String.class).single()).startsWith("interrupted");
			changeConfig(operator(), id, "{\"aof\": true}");
			try (Jedis jedis = node.jedis()) {
				assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "yes");
			}
			assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		}
	}

	@Test
	void aBusinessDatabaseUpgradesReplicaFirstThenFailsOverWhileItsClientsKeepWritingAndAFailedUpgradeLeavesItServing()
			throws Exception {
		Provisioned provisioned = provision("engine-business", "redis-business-256");
		String id = provisioned.id();
		// its plan archives its stream from the start, and the archiver's first base is a backup: an upgrade is
		// refused while a backup is under way, so the test lets it finish first
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
			.until(() -> hasDoneArchiveBase(operator(), id));
		JsonNode database = provisioned.database();
		assertThat(database.path("upgrade").path("downtime").asString()).startsWith("no downtime");
		URI uri = URI.create(database.path("env").path("REDIS_URL").asString());
		String password = uri.getUserInfo().substring(id.length() + 1);
		List<Integer> dataPorts = new ArrayList<>();
		int firstPrimary = 0;
		for (JsonNode node : database.path("nodes")) {
			if (node.path("role").asString().equals("primary")) {
				firstPrimary = node.path("port").asInt();
				dataPorts.add(firstPrimary);
			}
			else if (node.path("role").asString().equals("replica")) {
				dataPorts.add(node.path("port").asInt());
			}
		}
		try (Jedis jedis = connect(uri.getPort(), password)) {
			for (int i = 0; i < 1000; i++) {
				jedis.set("key-" + i, "value-" + i);
			}
		}

		// a new engine that does not start: the replica comes back on the old one, the primary is not touched
		JsonNode failed = upgrade(operator(), id, TestEngines.BROKEN, "failed");
		long failedJob = failed.path("execution").asLong();
		assertThat(failed.path("exit_description").asString()).contains("did not start on " + TestEngines.BROKEN)
			.contains("it runs " + TestEngines.INSTALLED + " again");
		database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("version").asString()).isEqualTo(TestEngines.INSTALLED);
		assertThat(database.path("upgrade").path("last").path("status").asString()).isEqualTo("error");
		assertThat(database.path("upgrade").path("last").path("error").asString())
			.contains("did not start on " + TestEngines.BROKEN);
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(jedis.dbSize()).isEqualTo(1000);
			assertThat(info(jedis, "server").get("tcp_port")).isEqualTo(String.valueOf(firstPrimary));
		}
		for (int port : dataPorts) {
			awaitInSync(port, password, 1000);
		}

		// after the failover there is no way back: the new primary runs the new engine, whose data an older
		// one cannot load, so a former primary that fails on the new engine stays on it, and says so
		Path next = Path.of(NEXT_PROGRAM);
		Path installed = Files.readSymbolicLink(next);
		Files.delete(next);
		JsonNode stuck;
		try {
			// the new engine, as Redis reports it (argv[0]), except on the first primary, where it exits at once
			Files.writeString(next, """
					#!/bin/bash
					if grep -q '^port %d$' "$1"; then echo "this test engine refuses the first primary" >&2; exit 1; fi
					exec -a "$0" %s "$@"
					""".formatted(firstPrimary, installed));
			Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rwxr-xr-x"));
			stuck = upgrade(operator(), id, TestEngines.NEXT, "failed");
		}
		finally {
			Files.delete(next);
			Files.createSymbolicLink(next, installed);
		}
		assertThat(stuck.path("exit_description").asString()).contains("must run " + TestEngines.NEXT + " now")
			.contains("it stays on " + TestEngines.NEXT)
			.doesNotContain("again on " + TestEngines.INSTALLED)
			.doesNotContain("runs " + TestEngines.INSTALLED + " again");
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(info(jedis, "server").get("tcp_port")).isNotEqualTo(String.valueOf(firstPrimary));
			assertThat(jedis.dbSize()).isEqualTo(1000);
		}
		// once the engine runs, the supervisor starts the node on it, a replica of its new primary
		for (int port : dataPorts) {
			awaitInSync(port, password, 1000);
			try (Jedis jedis = connect(port, password)) {
				assertThat(info(jedis, "server").get("executable")).isEqualTo(NEXT_PROGRAM);
			}
		}
		int primaryBefore = dataPorts.get(0).equals(firstPrimary) ? dataPorts.get(1) : dataPorts.get(0);

		// a client writing through REDIS_URL all along: at most a reconnect, no write lost
		Writer writer = new Writer(uri.getPort(), password);
		Thread thread = new Thread(writer, "engine-test-writer");
		thread.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> writer.written.get() > 50);
		try {
			upgrade(operator(), id, TestEngines.NEXT, "completed");
			int before = writer.written.get();
			await().atMost(Duration.ofSeconds(10)).until(() -> writer.written.get() > before + 50);
		}
		finally {
			writer.running.set(false);
			thread.join(10_000);
		}
		assertThat(writer.failure).isNull();
		// writes wait while the replica catches up and is promoted, then reconnect once HAProxy sees the change:
		// about a second here, with HAProxy checking every 200 ms
		assertThat(writer.longestGapMillis.get()).as("longest time without a successful write").isLessThan(5_000);
		int written = writer.written.get();

		database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("version").asString()).isEqualTo(TestEngines.NEXT);
		for (JsonNode node : database.path("nodes")) {
			// the former replica is the primary now
			if (node.path("role").asString().equals("primary")) {
				assertThat(node.path("port").asInt()).isNotEqualTo(primaryBefore);
			}
		}
		try (Jedis jedis = connect(uri.getPort(), password)) {
			assertThat(info(jedis, "server").get("tcp_port")).isNotEqualTo(String.valueOf(primaryBefore));
			for (int i = 0; i < 1000; i++) {
				assertThat(jedis.get("key-" + i)).isEqualTo("value-" + i);
			}
			for (int i = 0; i < written; i++) {
				assertThat(jedis.get("written-" + i)).as("written-" + i).isEqualTo(String.valueOf(i));
			}
		}
		for (int port : dataPorts) {
			awaitInSync(port, password, 1000 + written);
			try (Jedis jedis = connect(port, password)) {
				assertThat(info(jedis, "server").get("executable")).isEqualTo(NEXT_PROGRAM);
				assertThat(jedis.configGet("min-replicas-to-write")).containsEntry("min-replicas-to-write", "0");
			}
		}

		// an instance that stopped during the failover left its write fence, in the configuration files too:
		// the recovery puts the value kept on the upgrade's row back, and marks its execution failed
		this.jdbc.sql("update batch_job_execution set status = 'STARTED', exit_code = 'UNKNOWN', end_time = null "
				+ "where job_execution_id = ?").param(failedJob).update();
		this.jdbc.sql("""
				update engine_upgrades set status = 'running', error = null, finished_at = null, write_fence = '0',
				    instance_id = 'a-stopped-instance', requested_at = now() - interval '1 hour'
				where job_execution_id = ?
				""").param(failedJob).update();
		for (int port : dataPorts) {
			try (Jedis jedis = connect(port, password)) {
				jedis.configSet("min-replicas-to-write", "1");
				jedis.configRewrite();
			}
		}
		assertThat(operator().get("/api/v1/jobs/" + failedJob).json().path("status").asString()).isEqualTo("started");
		assertThat(this.upgrades.recover(this.instanceTimeout.stoppedNow())).isPositive();
		Map<String, Object> interrupted = this.jdbc.sql("""
				select status, error, write_fence from engine_upgrades where job_execution_id = ?
				""").param(failedJob).query().singleRow();
		assertThat(interrupted).containsEntry("status", "error").containsEntry("write_fence", null);
		assertThat((String) interrupted.get("error")).startsWith("interrupted");
		JsonNode execution = operator().get("/api/v1/jobs/" + failedJob).json();
		assertThat(execution.path("status").asString()).isEqualTo("failed");
		assertThat(execution.path("exit_description").asString()).contains("interrupted");
		for (int port : dataPorts) {
			try (Jedis jedis = connect(port, password)) {
				assertThat(jedis.configGet("min-replicas-to-write")).containsEntry("min-replicas-to-write", "0");
				assertThat(Files.readString(Path.of(info(jedis, "server").get("config_file"))))
					.doesNotContain("min-replicas-to-write 1");
			}
		}
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	/** Writes {@code written-<n>} through REDIS_URL one after another, reconnecting after any failure. */
	static final class Writer implements Runnable {

		final AtomicBoolean running = new AtomicBoolean(true);

		final AtomicInteger written = new AtomicInteger();

		final AtomicLong longestGapMillis = new AtomicLong();

		volatile Throwable failure;

		private final int port;

		private final String password;

		Writer(int port, String password) {
			this.port = port;
			this.password = password;
		}

		@Override
		public void run() {
			long lastSuccess = System.nanoTime();
			Jedis jedis = null;
			try {
				while (this.running.get()) {
					int next = this.written.get();
					try {
						if (jedis == null) {
							jedis = connect(this.port, this.password);
						}
						jedis.set("written-" + next, String.valueOf(next));
						this.written.incrementAndGet();
						long now = System.nanoTime();
						this.longestGapMillis.accumulateAndGet((now - lastSuccess) / 1_000_000, Math::max);
						lastSuccess = now;
					}
					catch (RuntimeException ex) {
						// the failover cut the connection, or the fenced primary refused the write: write it again
						if (jedis != null) {
							jedis.close();
							jedis = null;
						}
						LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
					}
				}
			}
			catch (Throwable ex) {
				this.failure = ex;
			}
			finally {
				if (jedis != null) {
					jedis.close();
				}
			}
		}

	}

	private void awaitInSync(int port, String password, long keys) {
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
			try (Jedis jedis = connect(port, password)) {
				Map<String, String> replication = info(jedis, "replication");
				boolean linked = "master".equals(replication.get("role")) || "up".equals(replication.get("master_link_status"));
				return linked && jedis.dbSize() == keys;
			}
		});
	}

	private JsonNode upgrade(ApiClient client, String id, String version, String expectedStatus) {
		ApiClient.Response accepted = client.post("/api/v1/databases/" + id + "/upgrade", "{\"version\": \"" + version + "\"}");
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
		JsonNode ended = awaitJobEnd(client, accepted.json().path("job").asLong());
		assertThat(ended.path("job").asString()).isEqualTo("engineUpgradeJob");
		assertThat(ended.path("status").asString()).as(ended.toString()).isEqualTo(expectedStatus);
		return ended;
	}

	private static boolean hasDoneArchiveBase(ApiClient client, String id) {
		for (JsonNode backup : client.get("/api/v1/databases/" + id + "/backups").json()) {
			if (backup.path("method").asString().equals("archive") && backup.path("status").asString().equals("done")) {
				return true;
			}
		}
		return false;
	}

	private static void assertRefused(ApiClient.Response response, int status, String message) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.text("message")).contains(message);
	}

	private static List<String> texts(JsonNode array) {
		List<String> texts = new ArrayList<>();
		array.forEach((item) -> texts.add(item.asString()));
		return texts;
	}

	private static Map<String, String> info(Jedis jedis, String section) {
		return RedisInfo.fields(jedis.info(section));
	}

}
