package io.coffer.restore;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a restore or a drill has its replication listener open, processes on the host that are not the
 * target connect to it and ask for a full copy, with no password and with guessed ones: they get an
 * error and not a byte of the dump, and the target still loads it whole. The target's own
 * {@code masteruser} and {@code masterauth} are back once the restore is done.
 */
class RestoreChannelTest extends IntegrationTest {

	private static final String PASSWORD = "restore-channel-secret";

	private static final String NO_AUTH = "-NOAUTH Authentication required.\r\n";

	private static final String WRONG_PASSWORD = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

	@Autowired
	DumpLoader loader;

	@Autowired
	RestoreDrillTask drill;

	/** The intruders of the current test, and what they asked, in order. */
	private final List<Intruder> intruders = new CopyOnWriteArrayList<>();

	@AfterEach
	void stopKnocking() throws Exception {
		this.loader.whenListening(null);
		for (Intruder intruder : this.intruders) {
			intruder.close();
		}
	}

	@Test
	void intrudersGetNothingFromARestoreWhichStillRestoresTheSourceAndGivesTheTargetItsMasterauthBack()
			throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			try (Jedis jedis = redis.jedis()) {
				RedisDataset.write(jedis);
				// its own, as a node configured to replicate as a given ACL user has them
				jedis.configSet("masteruser", "replication-user");
			}
			String db = registerDatabase("restore-channel", PASSWORD, "stream", redis.port()).text("id");
			JsonNode backup = backUp(db);
			assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
			String sourceDigest = redis.digest();
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
				jedis.set("written-after-the-backup", "gone after the restore");
			}
			List<String> masterUserWhileListening = new CopyOnWriteArrayList<>();
			this.loader.whenListening((listener) -> {
				try (Jedis jedis = redis.jedis()) {
					masterUserWhileListening.add(jedis.configGet("masteruser").get("masteruser"));
				}
				knock(listener);
			});

			ApiClient.Response launched = RestoreSupport.start(operator(), db, "{\"target\": \"in_place\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			assertThat(redis.digest()).isEqualTo(sourceDigest);
			assertIntrudersGotNothing();
			assertThat(masterUserWhileListening).containsExactly(OneShotPrimary.MASTER_USER);
			try (Jedis jedis = redis.jedis()) {
				assertThat(jedis.configGet("masteruser")).isEqualTo(Map.of("masteruser", "replication-user"));
				assertThat(jedis.configGet("masterauth")).isEqualTo(Map.of("masterauth", PASSWORD));
			}
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
		}
	}

	@Test
	void intrudersGetNothingFromADrillWhichStillPasses() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String db = registerDatabase("drill-channel", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			String digest = redis.digest();
			this.loader.whenListening(this::knock);

			RestoreDrillTask.Result result = this.drill.drillDatabases(List.of(db));

			assertThat(result.passed()).as(result.describe()).containsExactly(backupId);
			assertIntrudersGotNothing();
			assertThat(redis.digest()).as("a drill never touches the database").isEqualTo(digest);
		}
	}

	/**
	 * Connects as the script that watched {@code /proc/net/tcp} did, before the target is told where the
	 * listener is: one connection that sends nothing, and three that ask for a full copy.
	 */
	private void knock(InetSocketAddress listener) {
		this.intruders.add(Intruder.knock(listener, List.of()));
		this.intruders.add(Intruder.knock(listener, List.of(Intruder.psync())));
		this.intruders.add(Intruder.knock(listener,
				List.of(List.of("AUTH", OneShotPrimary.MASTER_USER, "guessed-secret"), Intruder.psync())));
		this.intruders.add(Intruder.knock(listener, List.of(List.of("AUTH", PASSWORD), Intruder.psync())));
	}

	private void assertIntrudersGotNothing() throws Exception {
		assertThat(this.intruders).hasSize(4);
		// the load ended within seconds: the listener, not its handshake deadline, closed the silent one
		assertThat(this.intruders.get(1).received()).isEqualTo(NO_AUTH);
		assertThat(this.intruders.get(2).received()).isEqualTo(WRONG_PASSWORD);
		assertThat(this.intruders.get(3).received()).as("the database's own password is no key to the listener")
			.isEqualTo(WRONG_PASSWORD);
		// the listener closed it when the load was over, having sent it nothing
		assertThat(this.intruders.get(0).received()).isEmpty();
	}

}
