package io.coffer.restore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.coffer.archive.ArchiveReader;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.EncryptingOutputStream;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default restore reads the archive once: it streams into the target while every check of a
 * verify-first read runs (the object authenticated, the archive's SHA-256 against the catalogue, the
 * entries, the RDB parsed whole and its CRC-64, the dump's SHA-256 against the manifest), and the target
 * gets the dump's last bytes only once all of them passed. A damage anywhere fails the restore and the
 * target keeps its own data; a sound archive restores and says what was checked.
 */
class OnePassRestoreTest extends IntegrationTest {

	private static final String PASSWORD = "one-pass-restore-secret";

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Autowired
	Keyring keyring;

	@Autowired
	ArchiveReader archives;

	@Autowired
	JdbcClient jdbc;

	/** Where the archive is damaged, each caught by another check. */
	enum Damage {

		/** A byte in the middle of the dump: its CRC-64 no longer matches. */
		DUMP_MIDDLE(""),
		/** A byte of the CRC-64 itself, among the bytes held back. */
		DUMP_LAST_BYTES("checksum"),
		/** The manifest names another dump SHA-256, the archive otherwise consistent. */
		MANIFEST_SHA256("sha-256"),
		/** The catalogue records another SHA-256 for the whole archive. */
		ARCHIVE_DIGEST("sha-256"),
		/** The stored object lost its last bytes. */
		TRUNCATED_OBJECT("");

		final String said;

		Damage(String said) {
			this.said = said;
		}

	}

	@ParameterizedTest
	@EnumSource(Damage.class)
	void aDamagedArchiveFailsTheOnePassRestoreAndTheTargetKeepsItsData(Damage damage) throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String db = registerDatabase("one-pass-" + damage.name().toLowerCase().replace('_', '-'), PASSWORD,
					"stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			Backup backup = this.backups.find(db, backupId).orElseThrow();
			damage(backup, damage);
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
				jedis.set("current", "data");
			}
			String digestBefore = redis.digest();

			ApiClient.Response launched = RestoreSupport.start(operator(), db, "{\"backup\": \"" + backupId + "\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("error");
			assertThat(finished.path("error").asString().toLowerCase()).as(finished.toString()).contains(damage.said);
			assertThat(redis.digest()).isEqualTo(digestBefore);
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
			try (Jedis jedis = redis.jedis()) {
				assertThat(jedis.get("current")).isEqualTo("data");
			}
		}
	}

	@Test
	void aSoundArchiveRestoresInOnePassAndRecordsWhatWasChecked() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String expected = redis.digest();
			String db = registerDatabase("one-pass-sound", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
				jedis.set("current", "data");
			}

			ApiClient.Response launched = RestoreSupport.start(operator(), db, "{\"backup\": \"" + backupId + "\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			assertThat(redis.digest()).isEqualTo(expected);
			JsonNode checks = finished.path("checks");
			assertThat(checks.path("archive").path("sha256_matches_catalogue").asBoolean()).as(checks.toString())
				.isTrue();
			assertThat(checks.path("dump").path("crc64").asString()).isEqualTo("ok");
			assertThat(checks.path("dump").path("sha256_matches_manifest").asBoolean()).isTrue();
			assertThat(checks.path("manifest").path("backup_id").asString()).isEqualTo(backupId);
			assertThat(checks.path("load").path("bytes_sent").asLong()).isPositive();
		}
	}

	private void damage(Backup backup, Damage damage) throws Exception {
		switch (damage) {
			case ARCHIVE_DIGEST -> this.jdbc.sql("update backups set archive_sha256 = ? where id = ?")
				.params("0".repeat(64), backup.id())
				.update();
			case TRUNCATED_OBJECT -> {
				byte[] stored;
				try (InputStream in = this.store.read(backup.objectKey())) {
					stored = in.readAllBytes();
				}
				BlobUpload upload = this.store.openUpload(backup.objectKey());
				upload.write(java.util.Arrays.copyOf(stored, stored.length - 40));
				upload.complete();
			}
			default -> {
				Map<String, byte[]> entries = entries(backup);
				byte[] dump = entries.get("dump.rdb");
				byte[] manifest = entries.get("backup.json");
				if (damage == Damage.DUMP_MIDDLE) {
					dump[dump.length / 2] ^= 0x01;
				}
				else if (damage == Damage.DUMP_LAST_BYTES) {
					dump[dump.length - 2] ^= 0x01;
				}
				else {
					String text = new String(manifest, StandardCharsets.UTF_8);
					String sha = sha256(dump);
					char first = sha.charAt(0);
					manifest = text.replace(sha, ((first == '0') ? '1' : '0') + sha.substring(1))
						.getBytes(StandardCharsets.UTF_8);
					assertThat(manifest).isNotEqualTo(text.getBytes(StandardCharsets.UTF_8));
				}
				replaceArchive(backup, dump, manifest);
			}
		}
	}

	/** The archive's entries in the clear, read through the service's own reader. */
	private Map<String, byte[]> entries(Backup backup) throws Exception {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		try (InputStream archive = this.archives.open(backup, ArchiveReader.Range.whole(backup));
				TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(archive, true))) {
			for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
				entries.put(entry.getName(), tar.readAllBytes());
			}
		}
		return entries;
	}

	/**
	 * Writes a new archive of {@code dump} and {@code manifest} over the backup's object, encrypted, and
	 * records its sizes and digests in the catalogue: only the damage put into the entries remains.
	 */
	private void replaceArchive(Backup backup, byte[] dump, byte[] manifest) throws Exception {
		ByteArrayOutputStream archive = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(archive))) {
			for (Map.Entry<String, byte[]> file : Map.of("dump.rdb", dump, "backup.json", manifest)
				.entrySet()
				.stream()
				.sorted(Map.Entry.<String, byte[]>comparingByKey().reversed())
				.toList()) {
				TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
				entry.setSize(file.getValue().length);
				tar.putArchiveEntry(entry);
				tar.write(file.getValue());
				tar.closeArchiveEntry();
			}
		}
		byte[] plain = archive.toByteArray();
		ByteArrayOutputStream stored = new ByteArrayOutputStream();
		try (EncryptingOutputStream encrypting = new EncryptingOutputStream(stored, this.keyring.newest())) {
			new ByteArrayInputStream(plain).transferTo(encrypting);
		}
		byte[] object = stored.toByteArray();
		BlobUpload upload = this.store.openUpload(backup.objectKey());
		upload.write(object);
		upload.complete();
		this.jdbc.sql("""
				update backups set archive_size = ?, archive_sha256 = ?, stored_size = ?, stored_sha256 = ?,
				    key_id = ? where id = ?""")
			.params(plain.length, sha256(plain), object.length, sha256(object), this.keyring.newest().id(),
					backup.id())
			.update();
	}

}
