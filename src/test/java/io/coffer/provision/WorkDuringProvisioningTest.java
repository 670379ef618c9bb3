package io.coffer.provision;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a database is still being provisioned its nodes are not up: a configuration change, a backup, or a
 * restore into it is refused with a 409 that says so, instead of being accepted and failing against nodes not
 * started; once it runs, they are accepted. The nodes' start is held by a gate: the engine's program waits
 * while the gate file exists.
 */
// its own context (an engine catalogue whose program waits at a gate): closed afterwards
@DirtiesContext
class WorkDuringProvisioningTest extends IntegrationTest {

	private static final String PASSWORD = "provisioning-secret";

	private static Path gate;

	@DynamicPropertySource
	static void gatedEngine(DynamicPropertyRegistry registry) throws IOException {
		Path bin = Files.createTempDirectory("gated-engine");
		gate = bin.resolve("closed");
		Path program = bin.resolve("redis-server");
		Files.writeString(program, """
				#!/bin/sh
				if [ "$1" = "--version" ]; then exec redis-server --version; fi
				while [ -e '%s' ]; do sleep 0.05; done
				exec redis-server "$@"
				""".formatted(gate), StandardCharsets.UTF_8);
		program.toFile().setExecutable(true);
		Path engines = bin.resolve("engines.yml");
		Files.writeString(engines, """
				engines:
				  - version: %1$s
				    redis-server: %2$s
				default: %1$s
				""".formatted(TestEngines.INSTALLED, program), StandardCharsets.UTF_8);
		registry.add("coffer.engines-file", engines::toString);
	}

	@AfterAll
	static void openGateAndKillLeftovers() throws IOException {
		Files.deleteIfExists(gate);
		CofferTestServices.killProcessesUnder(ProvisioningTest.nodesFolder());
	}

	@Test
	void workOnADatabaseStillBeingProvisionedIsRefusedUntilItRuns() throws IOException {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD)) {
			try (Jedis jedis = source.jedis()) {
				jedis.set("copied", "yes");
			}
			String sourceDb = registerDatabase("provisioning-source", PASSWORD, "stream", source.port()).text("id");
			String sourceBackup = backUp(sourceDb).path("id").asString();
			Files.createFile(gate);
			ApiClient.Response created = operator().post("/api/v1/databases",
					"{\"app\": \"provisioning-held\", \"plan\": \"redis-starter-256\"}");
			assertThat(created.status()).as(created.body()).isEqualTo(201);
			String id = created.text("id");
			ApiClient owner = withToken(created.text("token"));

			assertProvisioning(owner.patch("/api/v1/databases/" + id + "/config", "{\"aof\": true}"),
					"database " + id + " is still being provisioned; change its configuration once it is running");
			assertProvisioning(owner.patch("/api/v1/databases/" + id + "/config", "{\"force_tls\": true}"),
					"database " + id + " is still being provisioned; change its configuration once it is running");
			assertProvisioning(owner.post("/api/v1/databases/" + id + "/backups"),
					"database " + id + " is still being provisioned; back it up once it is running");
			assertProvisioning(operator().post("/api/v1/databases/" + sourceDb + "/restores", "{\"backup\": \""
					+ sourceBackup + "\", \"target\": \"new_database\", \"target_database\": \"" + id + "\"}"),
					"database " + id + " is still being provisioned; restore into it once it is running");
			ApiClient.Response plan = owner.post("/api/v1/databases/" + id + "/plan", "{\"plan\": \"redis-starter-1024\"}");
			assertThat(plan.status()).as(plan.body()).isEqualTo(409);
			assertThat(plan.text("error")).isEqualTo("database_not_running");
			assertThat(operator().get("/api/v1/databases/" + id).json().path("status").asString()).isEqualTo("provisioning");
			assertThat(operator().get("/api/v1/databases/" + id + "/backups").json()).isEmpty();

			Files.delete(gate);
			awaitRunning(id);
			changeConfig(owner, id, "{\"aof\": true}");
			assertThat(backUp(id).path("status").asString()).isEqualTo("done");
			assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		}
	}

	private static void assertProvisioning(ApiClient.Response refused, String message) {
		assertThat(refused.status()).as(refused.body()).isEqualTo(409);
		assertThat(refused.text("error")).isEqualTo("database_provisioning");
		assertThat(refused.text("message")).isEqualTo(message);
	}

}
