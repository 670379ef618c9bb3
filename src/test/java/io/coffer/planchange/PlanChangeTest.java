package io.coffer.planchange;

import io.coffer.catalog.InstanceTimeout;
import io.coffer.provision.ProvisioningTest;


import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.coffer.redis.RedisInfo;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provisioned database moved between plans on real processes, as its app sees it: up and down within a
 * family, starter → business (a replica, sentinels and HAProxy come, REDIS_URL moves to HAProxy) and
 * business → starter after a failover (the node that is not primary is kept, by a coordinated failover);
 * keys checked after each change, a webhook each time with the new REDIS_URL; and the changes that cannot
 * be made refused with a sentence before anything moves. Small plans keep filling the memory cheap.
 */
// its own context (small plans, a webhook receiver): closed afterwards, to give its connections back
@DirtiesContext
class PlanChangeTest extends IntegrationTest {

	private static final long MB = 1024L * 1024L;

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final List<JsonNode> webhooks = new CopyOnWriteArrayList<>();

	private static HttpServer receiver;

	/** While this file exists, HAProxy fails to start: a fault in the middle of a starter → business change. */
	private static Path haproxyFault;

	@Autowired
	Scheduler scheduler;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	InterruptedPlanChanges interruptedChanges;

	@Autowired
	InstanceTimeout instanceTimeout;

	@Autowired
	PlanChangeFailures failures;

	@DynamicPropertySource
	static void smallPlansAndAWebhook(DynamicPropertyRegistry registry) throws IOException {
		Path plans = Files.createTempFile("plans", ".yml");
		plans.toFile().deleteOnExit();
		String retention = "{ daily: 7, weekly: 4, monthly: 0, manual: 10, after-deletion: P1M }";
		Files.writeString(plans, """
				plans:
				  - { name: redis-starter-16, memory-mb: 16, nodes: 1, sentinels: 0, haproxy: 0, retention: %1$s }
				  - { name: redis-starter-64, memory-mb: 64, nodes: 1, sentinels: 0, haproxy: 0, retention: %1$s }
				  - { name: redis-business-64, memory-mb: 64, nodes: 2, sentinels: 3, haproxy: 2, retention: %1$s }
				""".formatted(retention));
		registry.add("coffer.plans-file", plans::toString);
		Path bin = Files.createTempDirectory("plan-bin");
		haproxyFault = bin.resolve("haproxy-fails");
		Path haproxy = bin.resolve("haproxy");
		Files.writeString(haproxy, """
				#!/bin/sh
				if [ -e '%s' ]; then echo "haproxy: refusing to start, as the test asks" >&2; exit 1; fi
				exec haproxy "$@"
				""".formatted(haproxyFault));
		haproxy.toFile().setExecutable(true);
		registry.add("coffer.provisioning.haproxy", haproxy::toString);
		receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		receiver.createContext("/hook", (exchange) -> {
			if ("database_plan_changed".equals(exchange.getRequestHeaders().getFirst("X-Coffer-Event"))) {
				webhooks.add(json.readTree(exchange.getRequestBody().readAllBytes()));
			}
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		receiver.start();
		registry.add("coffer.webhooks.urls", () -> "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
	}

	@AfterAll
	static void stopReceiver() {
		receiver.stop(0);
	}

	@Test
	void aDatabaseChangesPlanWithinAndAcrossFamiliesKeepingItsDataAndTellingThePlatform() throws Exception {
		Provisioned provisioned = provision("plan-app", "redis-starter-16");
		String id = provisioned.id();
		ApiClient owner = withToken(provisioned.token());
		URI starterUrl = provisioned.url();
		String password = provisioned.password();
		try (Jedis jedis = connect(starterUrl, password)) {
			write(jedis, "key", 1000, 100);
		}

		// within the family, upward: the memory is set live, kept in the file, and the plan follows
		ApiClient.Response accepted = owner.post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"redis-starter-64\"}");
		assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
		ApiClient.Response meanwhile = operator().post("/api/v1/databases/" + id + "/plan",
				"{\"plan\": \"redis-business-64\"}");
		assertThat(meanwhile.status()).as(meanwhile.body()).isEqualTo(409);
		assertThat(meanwhile.text("message")).contains("already being changed");
		completeJob("planChangeJob", accepted, owner);
		JsonNode database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("plan").asString()).isEqualTo("redis-starter-64");
		assertThat(database.path("status").asString()).isEqualTo("running");
		assertThat(database.path("env").path("REDIS_URL").asString()).isEqualTo(starterUrl.toString());
		try (Jedis jedis = connect(starterUrl, password)) {
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(64 * MB));
			assertThat(jedis.dbSize()).isEqualTo(1000);
		}
		assertThat(Files.readString(ProvisioningTest.nodesFolder().resolve(id).resolve("redis-1").resolve("redis.conf")))
			.contains("maxmemory 64mb").doesNotContain("maxmemory 16mb");
		JsonNode hook = awaitWebhook(id, "redis-starter-64");
		assertThat(hook.path("from_plan").asString()).isEqualTo("redis-starter-16");
		assertThat(hook.path("app").asString()).isEqualTo("plan-app");
		assertThat(hook.path("env").path("REDIS_URL").asString()).isEqualTo(starterUrl.toString());
		assertThat(this.jdbc.sql("select requested_by || ' ' || status from plan_changes where database_id = ? "
				+ "and to_plan = 'redis-starter-64'").param(id).query(String.class).single())
			.isEqualTo("database_token done");

		// starter → business: a replica in sync, sentinels, HAProxy; REDIS_URL moves to HAProxy. No backup or
		// configuration change meanwhile
		ApiClient.Response toBusiness = operator().post("/api/v1/databases/" + id + "/plan",
				"{\"plan\": \"redis-business-64\"}");
		assertThat(toBusiness.status()).as(toBusiness.body()).isEqualTo(202);
		ApiClient.Response backupMeanwhile = operator().post("/api/v1/databases/" + id + "/backups");
		assertThat(backupMeanwhile.status()).as(backupMeanwhile.body()).isEqualTo(409);
		assertThat(backupMeanwhile.text("message")).isEqualTo("the plan of " + id + " is being changed; back it up once it is running");
		ApiClient.Response configMeanwhile = operator().patch("/api/v1/databases/" + id + "/config", "{\"timeout\": 60}");
		assertThat(configMeanwhile.status()).as(configMeanwhile.body()).isEqualTo(409);
		assertThat(configMeanwhile.text("error")).isEqualTo("database_updating");
		assertThat(operator().get("/api/v1/databases/" + id).text("status")).isEqualTo("updating");
		completeJob("planChangeJob", toBusiness, operator());
		database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("plan").asString()).isEqualTo("redis-business-64");
		assertThat(database.path("sentinel_master").asString()).isEqualTo(id);
		assertThat(roles(database)).containsExactlyInAnyOrder("primary", "replica", "sentinel", "sentinel",
				"sentinel", "haproxy", "haproxy");
		URI businessUrl = URI.create(database.path("env").path("REDIS_URL").asString());
		assertThat(businessUrl.getPort()).isNotEqualTo(starterUrl.getPort());
		assertThat(awaitWebhook(id, "redis-business-64").path("env").path("REDIS_URL").asString())
			.isEqualTo(businessUrl.toString());
		int replicaPort = ProvisioningTest.portsByRole(database).get("replica");
		try (Jedis jedis = connect(businessUrl, password)) {
			assertThat(jedis.dbSize()).isEqualTo(1000);
			assertThat(jedis.get("key-999")).hasSize(100);
			jedis.set("written-through-haproxy", "yes");
		}
		try (Jedis replica = connect(URI.create("redis://127.0.0.1:" + replicaPort), password)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> "yes".equals(replica.get("written-through-haproxy")));
			assertThat(replica.dbSize()).isEqualTo(1001);
			assertThat(replica.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(64 * MB));
		}
		// backups find the new topology: taken on the replica the sentinels name
		JsonNode backup = backUp(id);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		assertThat(backup.path("node").path("role").asString()).isEqualTo("replica");

		// a plan the data does not fit is refused before anything changes, saying both sizes
		try (Jedis jedis = connect(businessUrl, password)) {
			write(jedis, "filler", 20_000, 1024);
		}
		ApiClient.Response tooSmall = owner.post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"redis-starter-16\"}");
		assertThat(tooSmall.status()).as(tooSmall.body()).isEqualTo(422);
		assertThat(tooSmall.text("message")).containsPattern("the data of " + id + " uses \\d+\\.\\d MB of memory")
			.contains("plan redis-starter-16 allows 16 MB");
		database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("plan").asString()).isEqualTo("redis-business-64");
		assertThat(database.path("status").asString()).isEqualTo("running");
		assertThat(roles(database)).hasSize(7);

		// business → starter while redis-2 is primary: redis-1 takes over without losing a write, the rest goes
		try (Jedis jedis = connect(businessUrl, password)) {
			for (int i = 0; i < 20_000; i += 1000) {
				jedis.del(java.util.stream.IntStream.range(i, i + 1000).mapToObj((n) -> "filler-" + n).toArray(String[]::new));
			}
		}
		int sentinelPort = ProvisioningTest.portsByRole(database).get("sentinel");
		try (Jedis sentinel = new Jedis("127.0.0.1", sentinelPort)) {
			sentinel.sentinelFailover(id);
		}
		// the sentinels cut clients as roles change: a new connection each time
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			try (Jedis replica = connect(URI.create("redis://127.0.0.1:" + replicaPort), password)) {
				return "master".equals(RedisInfo.fields(replica.info("replication")).get("role"));
			}
		});
		// the sentinels turn redis-1, which said master until then, into redis-2's replica (a write
		// before that may land on redis-1 and be dropped by its resync)
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			try (Jedis old = connect(URI.create("redis://127.0.0.1:" + starterUrl.getPort()), password)) {
				return "up".equals(RedisInfo.fields(old.info("replication")).get("master_link_status"));
			}
		});
		// HAProxy cut the sessions to the old primary: the app reconnects, and writes to redis-2
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			try (Jedis jedis = connect(businessUrl, password)) {
				return "OK".equals(jedis.set("written-to-redis-2", "kept"));
			}
		});

		// the FAILOVER to redis-1 refused after the sentinels were removed: both data nodes remain, so the
		// sentinels start again, monitoring redis-2, and the database runs on its old plan with every key
		try (Jedis replica = connect(URI.create("redis://127.0.0.1:" + replicaPort), password)) {
			replica.aclSetUser("default", "-failover");
		}
		ApiClient.Response refused = owner.post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"redis-starter-16\"}");
		assertThat(refused.status()).as(refused.body()).isEqualTo(202);
		assertThat(awaitJobEnd(owner, refused.json().path("job").asLong()).path("status").asString()).isEqualTo("failed");
		database = awaitStatus(id, "running");
		assertThat(database.path("plan").asString()).isEqualTo("redis-business-64");
		assertThat(database.path("env").path("REDIS_URL").asString()).isEqualTo(businessUrl.toString());
		assertThat(roles(database)).containsExactlyInAnyOrder("primary", "replica", "sentinel", "sentinel",
				"sentinel", "haproxy", "haproxy");
		assertThat(ProvisioningTest.portsByRole(database).get("primary")).isEqualTo(replicaPort);
		assertThat(this.jdbc.sql("select status || ': ' || error from plan_changes where database_id = ? "
				+ "order by id desc limit 1").param(id).query(String.class).single()).startsWith("error: ").contains("NOPERM");
		try (Jedis sentinel = new Jedis("127.0.0.1", ProvisioningTest.portsByRole(database).get("sentinel"))) {
			assertThat(sentinel.sentinelGetMasterAddrByName(id)).element(1).isEqualTo(String.valueOf(replicaPort));
		}
		try (Jedis jedis = connect(businessUrl, password)) {
			assertThat(jedis.get("written-to-redis-2")).isEqualTo("kept");
			assertThat(jedis.dbSize()).isEqualTo(1002);
		}
		try (Jedis replica = connect(URI.create("redis://127.0.0.1:" + replicaPort), password)) {
			replica.aclSetUser("default", "+failover");
		}

		List<Integer> businessPorts = ProvisioningTest.ports(database);
		changePlan(owner, id, "redis-starter-16");
		database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("plan").asString()).isEqualTo("redis-starter-16");
		assertThat(database.hasNonNull("sentinel_master")).isFalse();
		assertThat(roles(database)).containsExactly("primary");
		URI backToStarter = URI.create(database.path("env").path("REDIS_URL").asString());
		assertThat(backToStarter.getPort()).isEqualTo(starterUrl.getPort());
		assertThat(awaitWebhook(id, "redis-starter-16").path("env").path("REDIS_URL").asString())
			.isEqualTo(backToStarter.toString());
		try (Jedis jedis = connect(backToStarter, password)) {
			assertThat(RedisInfo.fields(jedis.info("replication"))).containsEntry("role", "master");
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(16 * MB));
			assertThat(jedis.get("written-to-redis-2")).isEqualTo("kept");
			assertThat(jedis.get("written-through-haproxy")).isEqualTo("yes");
			assertThat(jedis.dbSize()).isEqualTo(1002);
		}
		businessPorts.remove(Integer.valueOf(starterUrl.getPort()));
		assertThat(businessPorts).hasSize(6).allMatch(ProvisioningTest::isFree);
		assertThat(ProvisioningTest.nodesFolder().resolve(id)).isDirectoryContaining((file) -> file.getFileName().toString().equals("redis-1"));
		assertThat(ProvisioningTest.nodesFolder().resolve(id).resolve("redis-2")).doesNotExist();
		assertThat(this.jdbc.sql("select count(*) from plan_changes where database_id = ? and status = 'done'")
			.param(id).query(Long.class).single()).isEqualTo(3);

		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aChangeThatFailsMidwayIsUndoneAndTheDatabaseRunsOnItsOldPlan() throws Exception {
		Provisioned provisioned = provision("plan-undone", "redis-starter-16");
		String id = provisioned.id();
		URI url = provisioned.url();
		String password = provisioned.password();
		try (Jedis jedis = connect(url, password)) {
			write(jedis, "key", 500, 100);
		}
		Files.createFile(haproxyFault);
		JsonNode ended;
		try {
			ApiClient.Response accepted = operator().post("/api/v1/databases/" + id + "/plan",
					"{\"plan\": \"redis-business-64\"}");
			assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
			long job = accepted.json().path("job").asLong();
			ended = awaitJobEnd(operator(), job);
		}
		finally {
			Files.delete(haproxyFault);
		}
		assertThat(ended.path("status").asString()).isEqualTo("failed");

		// the replica and sentinels it had started are gone; the primary has its old memory and every key
		JsonNode database = awaitStatus(id, "running");
		assertThat(database.path("plan").asString()).isEqualTo("redis-starter-16");
		assertThat(roles(database)).containsExactly("primary");
		assertThat(database.path("env").path("REDIS_URL").asString()).isEqualTo(url.toString());
		assertThat(ProvisioningTest.nodesFolder().resolve(id).resolve("redis-2")).doesNotExist();
		assertThat(ProvisioningTest.nodesFolder().resolve(id).resolve("sentinel-1")).doesNotExist();
		try (Jedis jedis = connect(url, password)) {
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(16 * MB));
			assertThat(jedis.dbSize()).isEqualTo(500);
		}
		Map<String, Object> change = this.jdbc.sql("select status, error from plan_changes where database_id = ?")
			.param(id).query().singleRow();
		assertThat(change).containsEntry("status", "error");
		assertThat((String) change.get("error")).contains("haproxy-leader").contains("refusing to start");
		assertThat(webhooks).noneMatch((hook) -> id.equals(hook.path("database_id").asString()));

		// and the same change goes through once HAProxy starts
		changePlan(operator(), id, "redis-business-64");
		assertThat(roles(operator().get("/api/v1/databases/" + id).json())).hasSize(7);
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void aChangeWhoseInstanceStoppedIsSettledAndTheDatabaseRunsAgain() throws SchedulerException {
		String id = provision("plan-interrupted", "redis-starter-16").id();
		// the other contexts of this suite share the catalogue and Quartz's cluster but not these small plans:
		// their scheduled recovery, running meanwhile, could not undo the change this test settles itself
		TriggerKey scheduledRecovery = TriggerKey.triggerKey("recover-interrupted-work", "service-schedules");
		this.scheduler.pauseTrigger(scheduledRecovery);
		try {
			settleAChangeWhoseInstanceStopped(id);
		}
		finally {
			this.scheduler.resumeTrigger(scheduledRecovery);
		}
	}

	private void settleAChangeWhoseInstanceStopped(String id) {
		// as an instance leaves it when it stops in the middle of a change: the database updating, the row running
		this.jdbc.sql("update databases set status = 'updating' where id = ?").param(id).update();
		this.jdbc.sql("""
				insert into plan_changes (database_id, from_plan, to_plan, requested_by, requested_at, instance_id, status)
				values (?, 'redis-starter-16', 'redis-starter-64', 'operator', now() - interval '1 hour', 'a-gone-instance', 'running')
				""").param(id).update();
		ApiClient.Response meanwhile = operator().post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"redis-starter-64\"}");
		assertThat(meanwhile.status()).isEqualTo(409);

		this.interruptedChanges.recover(this.instanceTimeout.stoppedNow());

		JsonNode database = awaitStatus(id, "running");
		assertThat(database.path("plan").asString()).isEqualTo("redis-starter-16");
		assertThat(this.jdbc.sql("select status || ': ' || error from plan_changes where database_id = ?").param(id)
			.query(String.class).single()).isEqualTo("error: interrupted: the instance running it stopped");
		changePlan(operator(), id, "redis-starter-64");

		// a failure reported after the change completed (or a second recovery) leaves it as it is: nothing undone
		long done = this.jdbc.sql("select id from plan_changes where database_id = ? and status = 'done'").param(id)
			.query(Long.class).single();
		this.failures.settle(done, id, "a failure after the last write");
		database = operator().get("/api/v1/databases/" + id).json();
		assertThat(database.path("status").asString()).isEqualTo("running");
		assertThat(database.path("plan").asString()).isEqualTo("redis-starter-64");
		URI url = URI.create(database.path("env").path("REDIS_URL").asString());
		try (Jedis jedis = connect(url, url.getUserInfo().substring(id.length() + 1))) {
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(64 * MB));
		}
		assertThat(this.jdbc.sql("select status from plan_changes where id = ?").param(done).query(String.class).single())
			.isEqualTo("done");
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void whatCannotBeChangedIsRefusedWithASentence() {
		ApiClient.Response missing = operator().post("/api/v1/databases/no-such-db-4242/plan", "{\"plan\": \"redis-starter-64\"}");
		assertThat(missing.status()).isEqualTo(404);
		assertThat(missing.text("message")).isEqualTo("database no-such-db-4242 was not found");
		try (RedisServerProcess node = RedisServerProcess.startWithPassword("plan-secret")) {
			ApiClient.Response registered = registerDatabase("plan-registered", "plan-secret", "stream", node.port());
			String id = registered.text("id");
			String path = "/api/v1/databases/" + id + "/plan";
			ApiClient.Response noPlan = operator().post(path, "{\"plan\": \"redis-starter-64\"}");
			assertThat(noPlan.status()).isEqualTo(422);
			assertThat(noPlan.text("message")).contains("is registered: it has no plan to change");
			ApiClient.Response empty = operator().post(path, "{}");
			assertThat(empty.status()).isEqualTo(400);
			assertThat(empty.text("message")).contains("send \"plan\"");
			assertThat(operator().post(path, "{\"plan\": 64}").status()).isEqualTo(400);
			ApiClient.Response extra = operator().post(path, "{\"plan\": \"redis-starter-64\", \"memory\": 1}");
			assertThat(extra.status()).isEqualTo(400);
			assertThat(extra.text("message")).contains("unknown field \"memory\"");
			// another database's token sees nothing of this one
			ApiClient.Response otherToken = withToken(registered.text("token")).post("/api/v1/databases/no-such-db-4242/plan",
					"{\"plan\": \"redis-starter-64\"}");
			assertThat(otherToken.status()).isEqualTo(404);
			assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		}

		String id = provision("plan-refusals", "redis-starter-16").id();
		String path = "/api/v1/databases/" + id + "/plan";
		ApiClient.Response unknown = operator().post(path, "{\"plan\": \"redis-starter-99\"}");
		assertThat(unknown.status()).isEqualTo(422);
		assertThat(unknown.text("message")).isEqualTo("there is no plan named redis-starter-99; GET /api/v1/plans lists them");
		ApiClient.Response same = operator().post(path, "{\"plan\": \"redis-starter-16\"}");
		assertThat(same.status()).isEqualTo(422);
		assertThat(same.text("message")).isEqualTo("database " + id + " is already on plan redis-starter-16");
		assertThat(this.jdbc.sql("select count(*) from plan_changes where database_id = ?").param(id)
			.query(Long.class).single()).isZero();
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	private void changePlan(ApiClient client, String id, String plan) {
		completeJob("planChangeJob", client.post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"" + plan + "\"}"),
				client);
	}

	private JsonNode awaitStatus(String id, String status) {
		return await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> operator().get("/api/v1/databases/" + id).json(), (found) -> {
				if ("error".equals(found.path("status").asString())) {
					throw new AssertionError("the database failed: " + found.path("status_reason").asString());
				}
				return status.equals(found.path("status").asString());
			});
	}

	private static JsonNode awaitWebhook(String id, String toPlan) {
		return await().atMost(Duration.ofSeconds(30))
			.until(() -> webhooks.stream()
				.filter((hook) -> id.equals(hook.path("database_id").asString())
						&& toPlan.equals(hook.path("to_plan").asString()))
				.findFirst(), java.util.Optional::isPresent)
			.orElseThrow();
	}

	private static void write(Jedis jedis, String prefix, int count, int size) {
		String value = "v".repeat(size);
		Pipeline pipeline = jedis.pipelined();
		for (int i = 0; i < count; i++) {
			pipeline.set(prefix + "-" + i, value);
		}
		pipeline.sync();
	}

	private static Jedis connect(URI uri, String password) {
		return ProvisioningTest.connect(uri, null, password);
	}

	private static List<String> roles(JsonNode database) {
		return database.path("nodes").valueStream().map((node) -> node.path("role").asString()).toList();
	}

}
