package io.coffer.web;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.FreePorts;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseApiTest extends IntegrationTest {

	private static RedisServerProcess redis;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword("right-password");
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void registersARedisWithTheRightPasswordAndReturnsItsTokenOnce() {
		ApiClient.Response created = register("shop", redis.port(), "right-password");

		assertThat(created.status()).isEqualTo(201);
		assertThat(created.text("id")).matches("shop-\\d{4}");
		assertThat(created.text("token")).startsWith("cft_");
		assertThat(created.json().path("nodes").get(0).path("role").asString()).isEqualTo("primary");
		assertThat(created.body()).doesNotContain("right-password");

		ApiClient.Response fetched = operator().get("/api/v1/databases/" + created.text("id"));
		assertThat(fetched.status()).isEqualTo(200);
		assertThat(fetched.json().has("token")).isFalse();
		assertThat(fetched.body()).doesNotContain("right-password");
		assertThat(fetched.json().path("env").path("REDIS_URL").asString())
			.isEqualTo("redis://127.0.0.1:" + redis.port());
	}

	@Test
	void aWrongPasswordIsRefusedWithASentenceAndNothingIsRecorded() {
		ApiClient.Response response = register("wrong-pw", redis.port(), "not-the-password");

		assertThat(response.status()).isEqualTo(422);
		assertThat(response.text("message")).contains("127.0.0.1:" + redis.port()).containsIgnoringCase("password");
		assertThat(operator().get("/api/v1/databases").body()).doesNotContain("\"wrong-pw\"");
	}

	@Test
	void anUnreachableNodeIsNamedInTheError() {
		int nobodyListens = FreePorts.next();

		ApiClient.Response response = register("unreachable", nobodyListens, "whatever");

		assertThat(response.status()).isEqualTo(422);
		assertThat(response.text("message")).contains("127.0.0.1:" + nobodyListens);
	}

	@Test
	void invalidRequestsAreRefusedWithTheFieldAtFault() {
		ApiClient.Response response = operator().post("/api/v1/databases",
				"{\"app\": \"Bad App!\", \"register\": {\"nodes\": []}}");

		assertThat(response.status()).isEqualTo(400);
		assertThat(response.text("error")).isEqualTo("invalid_request");
		assertThat(response.text("message")).contains("app").contains("nodes");
	}

	@Test
	void withoutATokenEverythingAnswers401() {
		ApiClient anonymous = withToken(null);

		assertThat(anonymous.get("/api/v1/databases").status()).isEqualTo(401);
		assertThat(anonymous.get("/api/v1/databases/anything/backups").status()).isEqualTo(401);
		assertThat(withToken("cft_forged").get("/api/v1/databases").status()).isEqualTo(401);
		assertThat(anonymous.get("/api/v1/databases").text("error")).isEqualTo("unauthorized");
	}

	@Test
	void aDatabaseTokenSeesItsOwnDatabaseOnlyAndOthersLookMissing() {
		ApiClient.Response mine = register("mine", redis.port(), "right-password");
		ApiClient.Response theirs = register("theirs", redis.port(), "right-password");
		ApiClient owner = withToken(mine.text("token"));

		assertThat(owner.get("/api/v1/databases/" + mine.text("id")).status()).isEqualTo(200);
		ApiClient.Response other = owner.get("/api/v1/databases/" + theirs.text("id"));
		ApiClient.Response missing = owner.get("/api/v1/databases/no-such-db-1234");
		assertThat(other.status()).isEqualTo(404);
		assertThat(missing.status()).isEqualTo(404);
		assertThat(other.text("error")).isEqualTo(missing.text("error"));
		assertThat(owner.get("/api/v1/databases/" + theirs.text("id") + "/backups").status()).isEqualTo(404);
		assertThat(owner.get("/api/v1/databases").json().size()).isEqualTo(1);
		assertThat(owner.post("/api/v1/databases", "{\"app\": \"sneaky\", \"register\": {\"nodes\": [{\"host\": \"127.0.0.1\", \"port\": 1}]}}")
			.status()).isEqualTo(403);
	}

	@Test
	void errorsNeverCarryAStackTrace() {
		ApiClient.Response response = operator().post("/api/v1/databases", "{not json");

		assertThat(response.status()).isEqualTo(400);
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("at io.coffer");
	}

	private ApiClient.Response register(String app, int port, String password) {
		return operator().post("/api/v1/databases", """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}], "password": "%s"}}
				""".formatted(app, port, password));
	}

}
