package io.coffer.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.EncryptingOutputStream;
import io.coffer.crypto.Keyring;
import io.coffer.pipeline.rdb.Crc64;
import io.coffer.storage.BlobUpload;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RdbCorpus;
import io.coffer.testsupport.RdbFiles;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dump that is not a well-formed RDB at every door: the crafted dump of the issue ({@code REDIS0010},
 * 200 random bytes, the end marker, a valid CRC-64) is refused by an import with 422 {@code invalid_rdb}
 * saying where and what, and nothing is stored; slipped into a done backup's archive, it ends the
 * restore in error before the target is touched. A truncated gzip import is 422 too. A sound import
 * records the exact keys of its dump.
 */
class InvalidDumpDoorsTest extends IntegrationTest {

	private static final String PASSWORD = "invalid-dump-secret";

	private static final JsonMapper json = JsonMapper.builder().build();

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Autowired
	Keyring keyring;

	@Autowired
	JdbcClient jdbc;

	@Test
	void theCraftedDumpIsRefusedByAnImportSayingWhereAndNothingIsKept() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			String db = registerDatabase("import-crafted", PASSWORD, "stream", redis.port()).text("id");

			HttpResponse<String> refused = upload(db, "application/octet-stream", crafted());

			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
			JsonNode body = json.readTree(refused.body());
			assertThat(body.path("error").asString()).isEqualTo("invalid_rdb");
			assertThat(body.path("message").asString()).as(refused.body()).containsPattern("offset \\d+: ")
				.contains("nothing was kept");
			assertThat(operator().get("/api/v1/databases/" + db + "/backups").json()).isEmpty();
			assertThat(this.store.list(db + "/")).isEmpty();
		}
	}

	@Test
	void aTruncatedGzipImportIs422AndNothingIsKept(@TempDir Path folder) throws Exception {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(source);
			byte[] dump = Files.readAllBytes(RdbFiles.redisCliRdb(source, folder.resolve("dump.rdb")));
			String db = registerDatabase("import-cut-gzip", PASSWORD, "stream", source.port()).text("id");
			byte[] archive = RestoreSupport.tarGz(dump);

			HttpResponse<String> refused = upload(db, "application/gzip", Arrays.copyOf(archive, archive.length / 2));

			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
			assertThat(json.readTree(refused.body()).path("message").asString()).as(refused.body())
				.contains("nothing was kept")
				.doesNotContain("null");
			assertThat(operator().get("/api/v1/databases/" + db + "/backups").json()).isEmpty();
		}
	}

	@Test
	void anImportRecordsTheExactKeysOfItsDump(@TempDir Path folder) throws Exception {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess target = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(source);
			byte[] dump = Files.readAllBytes(RdbFiles.redisCliRdb(source, folder.resolve("dump.rdb")));
			String db = registerDatabase("import-counted", PASSWORD, "stream", target.port()).text("id");

			HttpResponse<String> imported = upload(db, "application/octet-stream", dump);

			assertThat(imported.statusCode()).as(imported.body()).isEqualTo(201);
			Backup backup = this.backups.find(db, json.readTree(imported.body()).path("id").asString()).orElseThrow();
			Map<String, Long> expected = new TreeMap<>();
			Map<String, Long> expiring = new TreeMap<>();
			RdbCorpus.keyspace(source).forEach((index, counts) -> {
				expected.put("db" + index, counts[0]);
				expiring.put("db" + index, counts[1]);
			});
			assertThat(backup.keysPerDb()).isEqualTo(expected);
			assertThat(this.backups.expiringKeys(backup.id())).contains(expiring);
		}
	}

	@Test
	void theCraftedDumpInADoneBackupEndsTheRestoreInErrorAndTheTargetKeepsItsKeys() throws Exception {
		restoreTheCraftedDump("restore-crafted", ", \"verify_before_load\": true");
	}

	@Test
	void streamedIntoTheTargetTheCraftedDumpNeverReachesItsEndAndTheTargetKeepsItsKeys() throws Exception {
		// the default: one pass, the dump checked while it streams
		restoreTheCraftedDump("restore-crafted-streamed", "");
	}

	private void restoreTheCraftedDump(String app, String options) throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String db = registerDatabase(app, PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			Backup backup = this.backups.find(db, backupId).orElseThrow();
			replaceDump(backup, crafted());
			String digestBefore = redis.digest();
			Map<Integer, Map<String, String>> before = RestoreFaultsTest.snapshot(redis);

			ApiClient.Response launched = RestoreSupport.start(operator(), db,
					"{\"backup\": \"" + backupId + "\"" + options + "}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).isEqualTo("error");
			assertThat(finished.path("error").asString()).as(finished.toString()).containsPattern("offset \\d+: ");
			if (options.contains("true")) {
				assertThat(finished.path("target_state").asString()).isEqualTo(RestoreFailedException.UNTOUCHED);
			}
			assertThat(redis.digest()).isEqualTo(digestBefore);
			assertThat(RedisDataset.differences(before, RestoreFaultsTest.snapshot(redis))).isEmpty();
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
		}
	}

	/** {@code REDIS0010}, 200 random bytes, the end marker and a valid CRC-64. */
	private static byte[] crafted() {
		byte[] dump = new byte[9 + 200 + 1 + 8];
		System.arraycopy("REDIS0010".getBytes(StandardCharsets.US_ASCII), 0, dump, 0, 9);
		byte[] noise = new byte[200];
		new Random(13).nextBytes(noise);
		System.arraycopy(noise, 0, dump, 9, 200);
		dump[209] = (byte) 0xff;
		long crc = Crc64.of(Arrays.copyOf(dump, 210));
		for (int i = 0; i < 8; i++) {
			dump[210 + i] = (byte) (crc >>> (8 * i));
		}
		return dump;
	}

	/**
	 * Writes a new archive around {@code dump} (with the backup's own manifest, sized to match) over the
	 * backup's object and records its sizes and digests, so that every check but the dump's own passes.
	 */
	private void replaceDump(Backup backup, byte[] dump) throws Exception {
		byte[] manifest;
		tools.jackson.databind.node.ObjectNode manifestJson = json.createObjectNode();
		manifestJson.put("formatVersion", 1);
		manifestJson.put("backupId", backup.id());
		manifestJson.put("databaseId", backup.databaseId());
		manifestJson.put("createdAt", backup.createdAt().toString());
		manifestJson.put("rdbVersion", 10);
		manifestJson.put("rdbSize", dump.length);
		manifestJson.put("rdbSha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(dump)));
		manifestJson.set("keysPerDb", json.valueToTree(backup.keysPerDb()));
		manifest = json.writeValueAsBytes(manifestJson);
		ByteArrayOutputStream archive = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(archive))) {
			for (Map.Entry<String, byte[]> file : Map.of("dump.rdb", dump).entrySet()) {
				TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
				entry.setSize(file.getValue().length);
				tar.putArchiveEntry(entry);
				tar.write(file.getValue());
				tar.closeArchiveEntry();
			}
			TarArchiveEntry entry = new TarArchiveEntry("backup.json");
			entry.setSize(manifest.length);
			tar.putArchiveEntry(entry);
			tar.write(manifest);
			tar.closeArchiveEntry();
		}
		byte[] plain = archive.toByteArray();
		ByteArrayOutputStream stored = new ByteArrayOutputStream();
		try (EncryptingOutputStream encrypting = new EncryptingOutputStream(stored, this.keyring.newest())) {
			encrypting.write(plain);
		}
		byte[] object = stored.toByteArray();
		BlobUpload upload = this.store.openUpload(backup.objectKey());
		upload.write(object);
		upload.complete();
		this.jdbc.sql("""
				update backups set archive_size = ?, archive_sha256 = ?, stored_size = ?, stored_sha256 = ?,
				    rdb_size = ?, rdb_version = 10, key_id = ? where id = ?""")
			.params(plain.length, sha256(plain), object.length, sha256(object), dump.length, this.keyring.newest().id(),
					backup.id())
			.update();
	}

	private HttpResponse<String> upload(String db, String contentType, byte[] body)
			throws IOException, InterruptedException {
		return RestoreSupport.importDump(this.port, db, contentType, HttpRequest.BodyPublishers.ofByteArray(body));
	}

}
