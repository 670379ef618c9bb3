package io.coffer.backup;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole way: typed data on a primary with a replica → backup through the API → the object in
 * storage, decrypted with the keyring alone → its dump loaded by a fresh redis-server → the same data.
 */
class BackupRoundTripTest extends IntegrationTest {

	private static final String PASSWORD = "round-trip-secret";

	private static RedisTopology redis;

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@BeforeAll
	static void startRedis() {
		redis = RedisTopology.primaryWithReplica().password(PASSWORD).start();
		RedisDataset.write(redis.primary());
		RedisTopology.awaitReplicaLinkUp(redis.replica(), redis.primary());
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void aBackupTakenFromTheReplicaRestoresEveryKeyTypeValueAndTtl(@TempDir Path work) throws Exception {
		awaitReplicaCaughtUp();
		ApiClient.Response created = registerDatabase("round-trip", PASSWORD, "stream", redis.primary().port(),
				redis.replica().port());
		String db = created.text("id");
		ApiClient owner = withToken(created.text("token"));

		ApiClient.Response launched = owner.post("/api/v1/databases/" + db + "/backups");
		assertThat(launched.status()).isEqualTo(202);
		assertThat(launched.text("status")).isIn("scheduled", "running");
		String backupId = launched.text("id");
		JsonNode finished = awaitFinished(owner, db, backupId);

		assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
		assertThat(finished.path("method").asString()).isEqualTo("manual");
		assertThat(finished.path("node").path("role").asString()).isEqualTo("replica");
		assertThat(finished.path("node").path("port").asInt()).isEqualTo(redis.replica().port());
		assertThat(finished.path("name").asString()).matches("\\d{14}_round_trip_" + db.substring(db.lastIndexOf('-') + 1) + "\\.tar\\.gz");
		ApiClient.Response list = owner.get("/api/v1/databases/" + db + "/backups");
		assertThat(list.json().get(0).path("id").asString()).isEqualTo(backupId);

		Backup row = this.backups.find(db, backupId).orElseThrow();
		byte[] archive = decrypt(row.objectKey());
		assertThat((long) archive.length).isEqualTo(row.archiveSize()).isEqualTo(finished.path("size").asLong());
		assertThat(sha256(archive)).isEqualTo(row.archiveSha256());
		Path dump = untar(archive, work);
		assertThat(work.resolve("backup.json")).exists();

		JsonNode manifest = JsonMapper.builder().build().readTree(Files.readString(work.resolve("backup.json")));
		assertThat(manifest.path("database_id").asString()).isEqualTo(db);
		assertThat(manifest.path("node").path("role").asString()).isEqualTo("replica");
		assertThat(manifest.path("rdb_sha256").asString()).isEqualTo(sha256(Files.readAllBytes(dump)));
		assertThat(manifest.path("redis_version").asString()).startsWith("7.");
		assertThat(manifest.path("keys_per_db").path("db4").asLong()).isEqualTo(207);
		// no write since the replica caught up: the dump stands at the replica's offset, in the primary's history
		String replid = redis.primary().info("replication").get("master_replid");
		long offset = Long.parseLong(redis.replica().info("replication").get("master_repl_offset"));
		assertThat(row.replication()).isNotNull();
		assertThat(row.replication().replid()).isEqualTo(replid);
		assertThat(row.replication().offset()).isPositive().isLessThanOrEqualTo(offset);
		assertThat(manifest.path("replication").path("replid").asString()).isEqualTo(replid);
		assertThat(manifest.path("replication").path("offset").asLong()).isEqualTo(row.replication().offset());
		assertThat(finished.path("replication").path("replid").asString()).isEqualTo(replid);
		assertThat(finished.path("replication").path("offset").asLong()).isEqualTo(row.replication().offset());

		try (RedisServerProcess restored = RedisServerProcess.options().loading(dump).start();
				Jedis source = redis.primary().jedis();
				Jedis copy = restored.jedis()) {
			Map<Integer, Map<String, String>> expected = RedisDataset.snapshot(source);
			assertThat(RedisDataset.differences(expected, RedisDataset.snapshot(copy))).isEmpty();
			assertThat(RedisDataset.types(expected)).contains("string", "hash", "list", "set", "zset", "stream");
		}
	}

	private byte[] decrypt(String objectKey) throws Exception {
		Keyring keyring = Keyring.load(CofferTestServices.get().keyring());
		try (InputStream stored = this.store.read(objectKey);
				InputStream plain = new DecryptingInputStream(stored, keyring)) {
			return plain.readAllBytes();
		}
	}

	/** Unpacks the archive into {@code folder}; the dump's path. */
	static Path untar(byte[] archive, Path folder) throws Exception {
		Path dump = null;
		try (TarArchiveInputStream tar = new TarArchiveInputStream(
				new GzipCompressorInputStream(new java.io.ByteArrayInputStream(archive), true))) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				Path file = folder.resolve(entry.getName());
				ByteArrayOutputStream content = new ByteArrayOutputStream();
				tar.transferTo(content);
				Files.write(file, content.toByteArray());
				if (entry.getName().equals("dump.rdb")) {
					dump = file;
				}
			}
		}
		assertThat(dump).as("dump.rdb in the archive").isNotNull();
		return dump;
	}

	private static void awaitReplicaCaughtUp() {
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			long master = Long.parseLong(redis.primary().info("replication").get("master_repl_offset"));
			long replica = Long.parseLong(redis.replica().info("replication").get("master_repl_offset"));
			return master == replica;
		});
	}

}
