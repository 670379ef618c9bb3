package io.coffer.restore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.schedule.ServiceJobs;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restore drill over two databases, one of whose latest backup was damaged in storage: the damaged one
 * is flagged and announced, the sound one passes, and neither database is touched.
 */
class RestoreDrillTest extends IntegrationTest {

	private static final String PASSWORD = "drill-secret";

	private static final List<JsonNode> received = new CopyOnWriteArrayList<>();

	private static HttpServer receiver;

	@Autowired
	private RestoreDrillTask drill;

	@Autowired
	private BackupRepository backups;

	@Autowired
	private BlobStore store;

	@Autowired
	private ServiceJobs serviceJobs;

	@DynamicPropertySource
	static void webhooks(DynamicPropertyRegistry registry) throws IOException {
		JsonMapper json = JsonMapper.builder().build();
		receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		receiver.createContext("/drills", (exchange) -> {
			received.add(json.readTree(exchange.getRequestBody().readAllBytes()));
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		receiver.start();
		registry.add("coffer.webhooks.urls", () -> "http://127.0.0.1:" + receiver.getAddress().getPort() + "/drills");
	}

	@AfterAll
	static void stopReceiver() {
		receiver.stop(0);
	}

	@Test
	void aDamagedBackupIsFlaggedAndAnnouncedAndASoundOnePasses() throws IOException {
		assertThat(this.serviceJobs.names()).contains("restoreDrillJob");
		try (RedisServerProcess sound = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess damaged = RedisServerProcess.startWithPassword(PASSWORD)) {
			for (RedisServerProcess server : List.of(sound, damaged)) {
				RedisDataset.write(server);
			}
			String soundDb = registerDatabase("drill-sound", PASSWORD, "stream", sound.port()).text("id");
			String damagedDb = registerDatabase("drill-damaged", PASSWORD, "stream", damaged.port()).text("id");
			String soundBackup = backUp(soundDb).path("id").asString();
			JsonNode damagedRow = backUp(damagedDb);
			String damagedBackup = damagedRow.path("id").asString();
			assertThat(damagedRow.path("status").asString()).isEqualTo("done");
			String soundDigest = sound.digest();
			String damagedDigest = damaged.digest();
			Backup rotten = this.backups.find(damagedDb, damagedBackup).orElseThrow();
			// a byte in the middle of its encrypted body, as bit rot would
			RestoreSupport.flipOneByte(this.store, rotten.objectKey(), rotten.storedSize() / 2);

			RestoreDrillTask.Result result = this.drill.drillDatabases(List.of(soundDb, damagedDb));

			assertThat(result.passed()).containsExactly(soundBackup);
			assertThat(result.failed()).containsExactly(damagedBackup);
			assertThat(result.notDrilled()).isEmpty();
			Backup passed = this.backups.find(soundDb, soundBackup).orElseThrow();
			assertThat(passed.integrityError()).isNull();
			assertThat(passed.integrityCheckedAt()).isNotNull();
			Backup flagged = this.backups.find(damagedDb, damagedBackup).orElseThrow();
			assertThat(flagged.integrityError()).startsWith("restore drill: ")
				.endsWith("(drilled on Redis " + TestEngines.INSTALLED + ")");
			assertThat(flagged.integrityCheckedAt()).isNotNull();
			JsonNode shown = operator().get("/api/v1/databases/" + damagedDb + "/backups/" + damagedBackup).json();
			assertThat(shown.path("integrity_error").asString()).isEqualTo(flagged.integrityError());

			JsonNode announced = await().atMost(Duration.ofSeconds(30))
				.until(() -> drillEvents()
					.filter((event) -> damagedBackup.equals(event.path("backup_id").asString()))
					.findFirst()
					.orElse(null), (event) -> event != null);
			assertThat(announced.path("event").asString()).isEqualTo("database_backup_drill_failed");
			assertThat(announced.path("database_id").asString()).isEqualTo(damagedDb);
			assertThat(announced.path("error").asString()).isEqualTo(flagged.integrityError());
			assertThat(drillEvents()).noneMatch((event) -> soundBackup.equals(event.path("backup_id").asString()));

			// the drill used scratch servers: the databases kept their data
			assertThat(sound.digest()).isEqualTo(soundDigest);
			assertThat(damaged.digest()).isEqualTo(damagedDigest);
		}
	}

	/** The backups announce themselves too: only the drill's events. */
	private static Stream<JsonNode> drillEvents() {
		return received.stream().filter((event) -> "database_backup_drill_failed".equals(event.path("event").asString()));
	}


}
