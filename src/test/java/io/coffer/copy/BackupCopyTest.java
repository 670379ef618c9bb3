package io.coffer.copy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.ObjectHeader;
import io.coffer.housekeeping.ExpireBackupsTask;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.storage.CopyStore;
import io.coffer.storage.EmbeddedS3Server;
import io.coffer.system.CofferInstance;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.ServiceTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real S3 servers: the shared one holds the backups, a second one of this class their copies. A backup is
 * copied byte for byte; with its primary object removed or a byte of it flipped, downloads and restores read
 * the copy and say so; a copy store that is down leaves the copy in error until it is back; retention deletes
 * both objects.
 */
class BackupCopyTest extends ServiceTest {

	private static final String PASSWORD = "copy-secret";

	/** A value larger than two segments, random so that it is stored as it is: the archive has several segments. */
	private static final int LARGE_VALUE = 2 * 1024 * 1024 + 300_000;

	private static final Path folder;

	private static final EmbeddedS3Server copyServer;

	private static RedisServerProcess redis;

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Autowired
	CopyStore copies;

	@Autowired
	ExpireBackupsTask retention;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	CofferInstance instance;

	static {
		try {
			folder = Files.createTempDirectory("coffer-copies");
			copyServer = new EmbeddedS3Server(folder, 0, "copy-access", "copy-secret-key").start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@DynamicPropertySource
	static void withCopyStore(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
		registry.add("coffer.copy.endpoint", copyServer::endpoint);
		registry.add("coffer.copy.access-key", copyServer::accessKey);
		registry.add("coffer.copy.secret-key", copyServer::secretKey);
		registry.add("coffer.copy.bucket", () -> "coffer-test-copies");
		registry.add("coffer.copy.part-size", () -> String.valueOf(5 * 1024 * 1024));
	}

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
		byte[] large = new byte[LARGE_VALUE];
		new Random(7).nextBytes(large);
		try (Jedis jedis = redis.jedis()) {
			jedis.set("small", "kept");
			jedis.hset("hash", "field", "value");
			jedis.set("large".getBytes(), large);
		}
	}

	@AfterAll
	static void stopAll() {
		redis.close();
		copyServer.close();
	}

	@Test
	void aDoneBackupIsCopiedByteForByteAndTheApiSaysSo() throws IOException {
		String db = register("copy-done");
		JsonNode backup = backUp(db);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");

		JsonNode copied = awaitCopy(db, backup.path("id").asString(), "done");

		assertThat(copied.path("copy").path("error").asString("")).as(copied.toString()).isEmpty();
		assertThat(copied.path("copy").path("copied_at").asString()).isNotBlank();
		Backup row = this.backups.find(db, backup.path("id").asString()).orElseThrow();
		assertThat(sha256(this.copies.store().orElseThrow(), row.objectKey())).isEqualTo(row.storedSha256())
			.isEqualTo(sha256(this.store, row.objectKey()));
	}

	@Test
	void withThePrimaryObjectRemovedDownloadsAndRestoresReadTheCopy() throws IOException {
		String db = register("copy-missing");
		Backup row = copiedBackup(db);
		byte[] original = download(db, row, "primary");

		this.store.delete(row.objectKey());

		assertThat(download(db, row, "copy")).isEqualTo(original);
		assertRestoresFromTheCopy(db, row);
		JsonNode shown = operator().get("/api/v1/databases/" + db + "/backups/" + row.id()).json();
		assertThat(shown.path("copy").path("primary_error").asString()).contains("missing");
		assertThat(shown.has("integrity_error")).as(shown.toString()).isFalse();
	}

	@Test
	void withAByteOfThePrimaryFlippedDownloadsAndRestoresReadTheCopy() throws IOException {
		String db = register("copy-flipped");
		Backup row = copiedBackup(db);
		byte[] original = download(db, row, "primary");

		// in the first segment: known before the response starts
		flipOneByte(this.store, row.objectKey(), ObjectHeader.LENGTH + 100);

		assertThat(download(db, row, "copy")).isEqualTo(original);
		assertRestoresFromTheCopy(db, row);
		JsonNode shown = operator().get("/api/v1/databases/" + db + "/backups/" + row.id()).json();
		assertThat(shown.path("copy").path("primary_error").asString()).contains("byte 0");
		assertThat(shown.has("integrity_error")).as(shown.toString()).isFalse();
	}

	@Test
	void aPrimaryDamagedInALaterSegmentIsReadOnFromTheCopyWhereItFailed() throws IOException {
		String db = register("copy-later-segment");
		Backup row = copiedBackup(db);
		byte[] original = download(db, row, "primary");

		// in the third segment: the response has begun from the primary, and goes on from the copy
		flipOneByte(this.store, row.objectKey(), row.storedSize() - 1000);

		assertThat(download(db, row, "primary")).isEqualTo(original);
		assertRestoresFromTheCopy(db, row);
		JsonNode shown = operator().get("/api/v1/databases/" + db + "/backups/" + row.id()).json();
		assertThat(shown.path("copy").path("primary_error").asString()).contains("could not be read at byte")
			.doesNotContain("byte 0 ");
		assertThat(shown.has("integrity_error")).as(shown.toString()).isFalse();
	}

	@Test
	void aCopyStoreThatIsDownLeavesTheCopyInErrorUntilItIsBack() throws IOException {
		String db = register("copy-store-down");
		copyServer.stop();
		String id;
		try {
			JsonNode backup = backUp(db);
			assertThat(backup.path("status").asString()).as("the backup itself does not fail: " + backup)
				.isEqualTo("done");
			id = backup.path("id").asString();
			JsonNode failed = awaitCopy(db, id, "error");
			assertThat(failed.path("copy").path("error").asString()).as(failed.toString()).contains("copy store")
				.doesNotContain(copyServer.endpoint());
			// the catch-up tries again, and fails again while the store is down
			runCopyJob();
			assertThat(copyState(db, id)).isEqualTo("error");
		}
		finally {
			copyServer.start();
		}

		runCopyJob();

		assertThat(copyState(db, id)).isEqualTo("done");
		Backup row = this.backups.find(db, id).orElseThrow();
		assertThat(sha256(this.copies.store().orElseThrow(), row.objectKey())).isEqualTo(row.storedSha256());
	}

	@Test
	void aCopyClaimedByAnInstanceThatStoppedIsTakenOverAndOneClaimedByALiveOneIsNot() throws IOException {
		String db = register("copy-claims");
		copyServer.stop();
		String id;
		try {
			id = backUp(db).path("id").asString();
			awaitCopy(db, id, "error");
		}
		finally {
			copyServer.start();
		}
		// as if this very instance were copying it now: the catch-up leaves it alone
		this.jdbc.sql("update backups set copy_claimed_by = ?, copy_claimed_at = ? where id = ?")
			.params(instanceId(), java.sql.Timestamp.from(Instant.now()), id)
			.update();
		runCopyJob();
		assertThat(copyState(db, id)).isEqualTo("error");

		// killed mid-copy: an instance that no longer checks in with the cluster
		this.jdbc.sql("update backups set copy_claimed_by = 'stopped-instance', copy_claimed_at = ? where id = ?")
			.params(java.sql.Timestamp.from(Instant.now().minus(Duration.ofDays(1))), id)
			.update();
		runCopyJob();
		assertThat(copyState(db, id)).isEqualTo("done");
	}

	@Test
	void retentionDeletesTheObjectAndItsCopy() throws IOException {
		String db = register("copy-retention");
		Backup row = copiedBackup(db);
		BlobStore copyStore = this.copies.store().orElseThrow();
		assertThat(copyStore.stat(row.objectKey())).isPresent();

		assertThat(this.backups.markForDeletion(row.id(), Instant.now())).isEqualTo(1);
		this.retention.run();

		assertThat(this.store.stat(row.objectKey())).isEmpty();
		assertThat(copyStore.stat(row.objectKey())).isEmpty();
		assertThat(this.backups.find(db, row.id())).isEmpty();
	}

	private String register(String app) {
		return registerDatabase(app, PASSWORD, "stream", redis.port()).text("id");
	}

	/** A backup of the database whose copy is done. */
	private Backup copiedBackup(String db) {
		JsonNode backup = backUp(db);
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		awaitCopy(db, backup.path("id").asString(), "done");
		Backup row = this.backups.find(db, backup.path("id").asString()).orElseThrow();
		assertThat(row.storedSize()).as("several segments").isGreaterThan(2L * 1024 * 1024);
		return row;
	}

	private JsonNode awaitCopy(String db, String backupId, String state) {
		return Awaitility.await()
			.atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> operator().get("/api/v1/databases/" + db + "/backups/" + backupId).json(),
					(json) -> state.equals(json.path("copy").path("state").asString()));
	}

	private String copyState(String db, String backupId) {
		return operator().get("/api/v1/databases/" + db + "/backups/" + backupId).json().path("copy").path("state")
			.asString();
	}

	private void runCopyJob() {
		ApiClient.Response launched = operator().post("/api/v1/jobs/copyBackupsJob");
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		JsonNode ended = awaitJobEnd(operator(), launched.json().path("execution").asLong());
		assertThat(ended.path("status").asString()).as(ended.toString()).isEqualTo("completed");
	}

	private String instanceId() {
		return this.instance.id();
	}

	/** The archive as the API sends it, which must say where it was read from. */
	private byte[] download(String db, Backup row, String source) {
		HttpResponse<byte[]> response = operator().getBytes("/api/v1/databases/" + db + "/backups/" + row.id() + "/archive");
		assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Coffer-Source")).hasValue(source);
		assertThat(response.body()).hasSize(Math.toIntExact(row.archiveSize()));
		return response.body();
	}

	private void assertRestoresFromTheCopy(String db, Backup row) {
		try (Jedis jedis = redis.jedis()) {
			jedis.flushAll();
		}
		JsonNode restored = restore(operator(), db, "{\"backup\": \"" + row.id() + "\", \"target\": \"in_place\"}");
		assertThat(restored.path("checks").path("archive").path("source").asString()).as(restored.toString())
			.isEqualTo("copy");
		assertThat(restored.path("checks").path("load").path("source").asString()).isEqualTo("copy");
		try (Jedis jedis = redis.jedis()) {
			assertThat(jedis.get("small")).isEqualTo("kept");
			assertThat(jedis.hget("hash", "field")).isEqualTo("value");
			assertThat(jedis.strlen("large")).isEqualTo(LARGE_VALUE);
		}
	}

	private static String sha256(BlobStore store, String key) throws IOException {
		try (InputStream in = store.read(key)) {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] buffer = new byte[64 * 1024];
			int read;
			while ((read = in.read(buffer)) != -1) {
				digest.update(buffer, 0, read);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Rewrites a stored object with the byte at {@code offset} flipped, as bit rot would. */
	private static void flipOneByte(BlobStore store, String key, long offset) throws IOException {
		byte[] stored;
		try (InputStream in = store.read(key)) {
			stored = in.readAllBytes();
		}
		stored[Math.toIntExact(offset)] ^= 0x01;
		BlobUpload upload = store.openUpload(key);
		upload.write(stored);
		upload.complete();
	}

}
