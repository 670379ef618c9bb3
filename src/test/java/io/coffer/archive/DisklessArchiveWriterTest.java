package io.coffer.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.storage.FileSystemBlobStore;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.json.JsonMapper;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The diskless writer on the file store (the embedded default's equivalent of S3's held-back first
 * part): an archive of one encrypted segment and one of several are standard {@code .tar.gz} files
 * holding the dump as it was, with the digests recorded; the spools are owner-only while they live and
 * gone after success and failure alike.
 */
class DisklessArchiveWriterTest {

	@TempDir
	Path work;

	@Test
	void aDumpOfOneSegmentAndADumpOfSeveralBecomeStandardArchivesWithTheirDigests() throws Exception {
		for (int randomMib : new int[] { 0, 3 }) {
			byte[] rdb = dump(randomMib);
			Path folder = Files.createDirectories(this.work.resolve("case-" + randomMib));
			Keyring keyring = Keyring.generate(folder.resolve("keyring"));
			FileSystemBlobStore store = new FileSystemBlobStore(folder.resolve("objects"));
			Path spools = folder.resolve("spool");
			List<String> seenWhileWriting = new ArrayList<>();

			ArchiveWriter.Shipped shipped = writer(spools).write(new ByteArrayInputStream(rdb), Instant.now(),
					keyring.newest(), store.openUploadHoldingStart("db/backup.tar.gz"), (partial) -> {
						seenWhileWriting.addAll(permissions(spools));
						return manifest(partial);
					}, (bytes) -> {
					}, (manifest) -> JsonMapper.builder().build().writeValueAsBytes(manifest));

			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spools))).isEqualTo("rwx------");
			assertThat(seenWhileWriting).containsExactly("rw-------", "rw-------");
			assertThat(permissions(spools)).as("spools after success").isEmpty();
			byte[] stored;
			try (InputStream in = store.read("db/backup.tar.gz")) {
				stored = in.readAllBytes();
			}
			assertThat(sha256(stored)).isEqualTo(shipped.storedSha256());
			assertThat((long) stored.length).isEqualTo(shipped.storedSize());
			byte[] archive;
			try (InputStream plain = new DecryptingInputStream(new ByteArrayInputStream(stored), keyring)) {
				archive = plain.readAllBytes();
			}
			assertThat(sha256(archive)).isEqualTo(shipped.archiveSha256());
			assertThat((long) archive.length).isEqualTo(shipped.archiveSize());
			try (InputStream tar = new GzipCompressorInputStream(new ByteArrayInputStream(archive), true)) {
				assertThat(tar.readAllBytes().length % 10240).as("a tar padded to whole records").isZero();
			}
			Path file = folder.resolve("backup.tar.gz");
			Files.write(file, archive);
			run(folder, "gzip", "-t", file.toString());
			run(folder, "tar", "xzf", file.toString());
			assertThat(Files.readAllBytes(folder.resolve("dump.rdb"))).isEqualTo(rdb);
			assertThat(shipped.rdbSize()).isEqualTo(rdb.length);
			assertThat(shipped.rdbSha256()).isEqualTo(sha256(rdb));
			assertThat(Files.readString(folder.resolve("backup.json"))).contains(sha256(rdb));
		}
	}

	@Test
	void aStreamThatFailsLeavesNoObjectNoPendingUploadAndNoSpool() throws Exception {
		byte[] rdb = dump(3);
		Keyring keyring = Keyring.generate(this.work.resolve("keyring"));
		FileSystemBlobStore store = new FileSystemBlobStore(this.work.resolve("objects"));
		Path spools = this.work.resolve("spool");
		InputStream dying = new InputStream() {
			private final InputStream in = new ByteArrayInputStream(rdb);

			private long read;

			@Override
			public int read() throws IOException {
				throw new UnsupportedOperationException();
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				if (this.read > 2_000_000) {
					throw new IOException("Redis at 127.0.0.1:1 closed the replication stream after " + this.read + " bytes");
				}
				int count = this.in.read(buffer, offset, length);
				this.read += Math.max(count, 0);
				return count;
			}
		};

		assertThatThrownBy(() -> writer(spools).write(dying, Instant.now(), keyring.newest(),
				store.openUploadHoldingStart("db/backup.tar.gz"), DisklessArchiveWriterTest::manifest, (bytes) -> {
				}, (manifest) -> JsonMapper.builder().build().writeValueAsBytes(manifest)))
			.hasMessageContaining("closed the replication stream");

		assertThat(store.list("db/")).isEmpty();
		assertThat(store.pendingUploads("db/")).isEmpty();
		assertThat(permissions(spools)).as("spools after a failure").isEmpty();
	}

	private static DisklessArchiveWriter writer(Path spools) {
		return new DisklessArchiveWriter(1, 2, ArchiveFormat.NEWEST_RDB_VERSION, spools);
	}

	/** The RDB of a redis-server holding every type, and {@code randomMib} MiB of random bytes. */
	private byte[] dump(int randomMib) throws IOException {
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			RedisDataset.write(redis);
			Random random = new Random(randomMib);
			try (Jedis jedis = redis.jedis()) {
				for (int i = 0; i < randomMib; i++) {
					byte[] value = new byte[1024 * 1024];
					random.nextBytes(value);
					jedis.set(("random:" + i).getBytes(), value);
				}
				jedis.save();
				return Files.readAllBytes(redis.dir().resolve(jedis.configGet("dbfilename").get("dbfilename")));
			}
		}
	}

	private static BackupManifest manifest(ArchiveWriter.Shipped partial) {
		return new BackupManifest(BackupManifest.FORMAT_VERSION, "backup", "db", "app", Instant.now(),
				new BackupManifest.NodeUsed("primary", "127.0.0.1", 6379), "7.0.15", partial.rdbVersion(),
				partial.rdbSize(), partial.rdbSha256(), partial.keysPerDb(), "manual", Map.of(), null);
	}

	private static List<String> permissions(Path folder) {
		if (!Files.isDirectory(folder)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.map((file) -> {
				try {
					return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}).toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void run(Path folder, String... command) throws Exception {
		Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
	}

}
