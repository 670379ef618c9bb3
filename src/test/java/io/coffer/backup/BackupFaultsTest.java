package io.coffer.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CuttableTcpProxy;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each way a backup can go wrong, against real processes: the backup ends in {@code error} with a
 * sentence that says what happened, nothing stays {@code running}, no object is left behind, and
 * the next backup succeeds once the cause is gone.
 */
class BackupFaultsTest extends IntegrationTest {

	private static final String PASSWORD = "faults-secret";

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Test
	void aPasswordChangedSinceRegistrationFailsTheBackupClearly() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			String db = register("pw-changed", redis.port());
			try (Jedis jedis = redis.jedis()) {
				jedis.configSet("requirepass", "rotated-by-someone");
			}

			JsonNode failed = backUp(db);
			assertFailed(db, failed, "127.0.0.1:" + redis.port(), "password");

			try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
				jedis.auth("rotated-by-someone");
				jedis.configSet("requirepass", PASSWORD);
			}
			assertSucceeds(db);
		}
	}

	@Test
	void aNodeThatIsDownIsNamedAndTheNextBackupWorksOnceItIsBack() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			String db = register("node-down", redis.port());
			redis.stop();

			assertFailed(db, backUp(db), "127.0.0.1:" + redis.port());

			redis.restart();
			assertSucceeds(db);
		}
	}

	@Test
	void aNodeThatDiesInTheMiddleOfTheTransferLeavesNoBackupBehind() throws IOException {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD);
				CuttableTcpProxy link = new CuttableTcpProxy(redis.host(), redis.port())) {
			redis.populate(200_000, "key", 64);
			String db = register("dies-midway", link.port());
			link.cutAfterDownstreamBytes(1_000_000);

			assertFailed(db, backUp(db), "127.0.0.1:" + link.port());
			assertThat(link.isCut()).isTrue();

			link.heal();
			assertSucceeds(db);
		}
	}

	@Test
	void aReplicaWhoseLinkIsDownIsSkippedForThePrimaryAndTheBackupSaysSo() {
		try (RedisTopology redis = RedisTopology.primaryWithReplica().password(PASSWORD).start()) {
			String db = register("link-down", redis.primary().port(), redis.replica().port());
			try (Jedis replica = redis.replica().jedis(); Jedis primary = redis.primary().jedis()) {
				replica.configSet("masterauth", "no-longer-right");
				primary.clientKill(new ClientKillParams().type(ClientType.REPLICA));
			}
			await().until(() -> "down".equals(redis.replica().info("replication").get("master_link_status")));

			JsonNode done = backUp(db);

			assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("done");
			assertThat(done.path("node").path("role").asString()).isEqualTo("primary");
			assertThat(done.path("node").path("port").asInt()).isEqualTo(redis.primary().port());
			assertThat(done.path("node").path("reason").asString()).contains(redis.replica().address())
				.contains("down");
		}
	}

	@Test
	void inFileModeTheDumpOfBgsaveIsBackedUpAndAFailingBgsaveIsReported(@TempDir Path temp) throws IOException {
		try (RedisServerProcess redis = RedisServerProcess.options()
			.password(PASSWORD)
			.set("enable-protected-configs", "yes")
			.start()) {
			redis.populate(10_000, "key", 32);
			String db = register("file-mode", "file", redis.port());

			JsonNode done = backUp(db);
			assertThat(done.path("status").asString()).as(done.toString()).isEqualTo("done");
			assertThat(this.backups.find(db, done.path("id").asString()).orElseThrow().keysPerDb())
				.containsEntry("db0", 10_000L);

			// Redis chdirs into its data folder: once it is deleted, not even root can write the dump there
			Path doomed = Files.createDirectory(temp.resolve("doomed"));
			try (Jedis jedis = redis.jedis()) {
				jedis.configSet("dir", doomed.toString());
			}
			Files.delete(doomed);
			assertFailed(db, backUp(db), "BGSAVE failed", "127.0.0.1:" + redis.port());
		}
	}

	@Test
	void aSecondBackupWhileOneRunsIsRefusedWith409() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			String db = register("second-backup", redis.port());
			redis.freeze();
			String first;
			try {
				ApiClient.Response launched = operator().post("/api/v1/databases/" + db + "/backups");
				assertThat(launched.status()).isEqualTo(202);
				first = launched.text("id");

				ApiClient.Response second = operator().post("/api/v1/databases/" + db + "/backups");
				assertThat(second.status()).isEqualTo(409);
				assertThat(second.text("error")).isEqualTo("backup_in_progress");
			}
			finally {
				redis.thaw();
			}
			assertThat(awaitFinished(operator(), db, first).path("status").asString()).isEqualTo("done");
		}
	}

	@Test
	void anUnknownDatabaseAnswers404() {
		ApiClient.Response response = operator().post("/api/v1/databases/no-such-database-1/backups");

		assertThat(response.status()).isEqualTo(404);
		assertThat(response.text("error")).isEqualTo("not_found");
		assertThat(operator().get("/api/v1/databases/no-such-database-1/backups/abc").status()).isEqualTo(404);
	}

	private String register(String app, int... ports) {
		return register(app, "stream", ports);
	}

	private String register(String app, String acquisitionMode, int... ports) {
		return registerDatabase(app, PASSWORD, acquisitionMode, ports).text("id");
	}

	private void assertFailed(String db, JsonNode backup, String... sentenceParts) {
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("error");
		assertThat(backup.path("error").asString()).contains(sentenceParts);
		assertNothingInFlightAndOnlyDoneObjects(db);
	}

	private void assertSucceeds(String db) {
		JsonNode next = backUp(db);
		assertThat(next.path("status").asString()).as(next.toString()).isEqualTo("done");
		assertNothingInFlightAndOnlyDoneObjects(db);
	}

	private void assertNothingInFlightAndOnlyDoneObjects(String db) {
		List<Backup> rows = this.backups.findAll(db);
		// a failed backup taken in the same second as the next one must not share (and delete) its object
		assertThat(rows).extracting(Backup::objectKey).doesNotHaveDuplicates();
		assertThat(rows).noneMatch((row) -> row.status() == RunStatus.RUNNING || row.status() == RunStatus.SCHEDULED);
		Set<String> doneKeys = rows.stream()
			.filter((row) -> row.status() == RunStatus.DONE)
			.map(Backup::objectKey)
			.collect(Collectors.toSet());
		try {
			assertThat(this.store.list(db + "/").stream().map(BlobInfo::key)).containsExactlyInAnyOrderElementsOf(doneKeys);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
