package io.coffer.node;

import io.coffer.provision.ProvisioningTest;

import java.net.URI;
import java.time.Duration;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.ServiceTest;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import tools.jackson.databind.JsonNode;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The static driver against a pool of one real {@code redis-server} the test starts: claimed and
 * configured remotely for a database, given back emptied with the pool password on deletion.
 */
@DirtiesContext // its own context: close it, and its connections, once done
class StaticDriverTest extends ServiceTest {

	private static final String POOL_PASSWORD = "pool-secret";

	private static final RedisServerProcess pool = RedisServerProcess.options()
		.password(POOL_PASSWORD)
		.set("databases", "5")
		.start();

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
		registry.add("coffer.provisioning.driver", () -> "static");
		registry.add("coffer.provisioning.static-nodes", () -> pool.address());
		registry.add("coffer.provisioning.static-password", () -> POOL_PASSWORD);
	}

	@AfterAll
	static void stopPool() {
		pool.close();
	}

	@Test
	void claimsAPoolNodeConfiguresItAndGivesItBack() {
		try (Jedis jedis = pool.jedis()) {
			jedis.set("left-over", "from before");
		}
		ApiClient.Response created = operator().post("/api/v1/databases",
				"{\"app\": \"pool-app\", \"plan\": \"redis-starter-1024\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		String id = created.text("id");
		JsonNode database = await().atMost(Duration.ofSeconds(60))
			.until(() -> operator().get("/api/v1/databases/" + id).json(),
					(json) -> !"provisioning".equals(json.path("status").asString()));
		assertThat(database.path("status").asString()).as(database.toString()).isEqualTo("running");
		URI uri = URI.create(database.path("env").path("REDIS_URL").asString());
		assertThat(uri.getPort()).isEqualTo(pool.port());
		String password = uri.getUserInfo().substring(id.length() + 1);
		try (Jedis jedis = ProvisioningTest.connect(uri, id, password)) {
			assertThat(jedis.dbSize()).isZero();
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "150");
			assertThat(jedis.configGet("save")).containsEntry("save", "900 1 300 10 60 10000");
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(1024L * 1024 * 1024));
			jedis.set("mine", "yes");
		}
		try (Jedis jedis = ProvisioningTest.connect(uri, null, password)) {
			assertThat(jedis.get("mine")).isEqualTo("yes");
		}
		assertThatThrownBy(() -> ProvisioningTest.connect(uri, null, POOL_PASSWORD))
			.isInstanceOf(JedisAccessControlException.class);
		// the pool's configuration files are not Coffer's: it cannot give the node certificates
		ApiClient.Response tls = operator().patch("/api/v1/databases/" + id + "/config", "{\"force_tls\": true}");
		assertThat(tls.status()).isEqualTo(422);
		assertThat(tls.text("message")).contains("static pool");
		assertThat(operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString())
			.startsWith("redis://");
		// nor is there anything for Coffer's CA certificate to verify
		ApiClient.Response ca = operator().get("/api/v1/databases/" + id + "/ca-certificate");
		assertThat(ca.status()).isEqualTo(422);
		assertThat(ca.text("message")).contains("static pool");

		ApiClient.Response second = operator().post("/api/v1/databases",
				"{\"app\": \"pool-app-2\", \"plan\": \"redis-starter-256\"}");
		assertThat(second.status()).isEqualTo(422);
		assertThat(second.text("error")).isEqualTo("pool_exhausted");
		ApiClient.Response business = operator().post("/api/v1/databases",
				"{\"app\": \"pool-app-3\", \"plan\": \"redis-business-256\"}");
		assertThat(business.status()).isEqualTo(422);
		assertThat(business.text("error")).isEqualTo("plan_unavailable");

		// the pool's engine is the pool's: Coffer does not upgrade it
		ApiClient.Response upgrade = operator().post("/api/v1/databases/" + id + "/upgrade",
				"{\"version\": \"" + TestEngines.NEXT + "\"}");
		assertThat(upgrade.status()).as(upgrade.body()).isEqualTo(422);
		assertThat(upgrade.text("message")).contains("static pool");
		assertThat(operator().get("/api/v1/databases/" + id).json().path("upgrade").path("unavailable_reason").asString())
			.contains("static pool");

		// the pool's nodes are not Coffer's processes (this one runs on the same host, which changes nothing):
		// their container stats are what INFO gives, and swap is not known
		JsonNode container = operator().get("/api/v1/databases/" + id + "/stats").json().path("container");
		assertThat(container.path("source").asString()).as(container.toString()).isEqualTo(DatabaseStats.FROM_INFO);
		long used = container.path("memory").path("current").asLong();
		assertThat(used).isPositive();
		assertThat(container.path("memory").path("free").asLong()).isEqualTo(1024L * 1024 * 1024 - used);
		assertThat(container.path("swap").path("current").isNull()).as(container.toString()).isTrue();
		assertThat(container.path("swap").path("highest").isNull()).isTrue();
		assertThat(container.path("swap").path("free").isNull()).isTrue();

		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
		try (Jedis jedis = pool.jedis()) {
			assertThat(jedis.dbSize()).isZero();
			assertThat(jedis.aclUsers()).doesNotContain(id);
		}
	}

}
