package io.coffer.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobStore;
import io.coffer.system.ServiceProperties;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.CuttableTcpProxy;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that streams its snapshot diskless ({@code repl-diskless-sync yes}, no delay) is backed up
 * without a BGSAVE to its disk, the length of the dump being known only at its end; the archive is the
 * same standard {@code .tar.gz} with the same digests, and a failure leaves no object and no spool.
 */
class DisklessBackupTest extends IntegrationTest {

	private static final String PASSWORD = "diskless-secret";

	/** More than two 5 MiB parts once compressed: random bytes do not shrink. */
	private static final int RANDOM_MIB = 12;

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@Autowired
	ServiceProperties service;

	@Test
	void aDisklessBackupIsAStandardArchiveWithItsDigestsAndRestoresEveryKey(@TempDir Path work) throws Exception {
		try (RedisServerProcess redis = disklessNode()) {
			RedisDataset.write(redis);
			writeRandomValues(redis);
			String db = registerDatabase("diskless", PASSWORD, "stream", redis.port()).text("id");

			JsonNode finished = backUp(db);

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			// a length-prefixed transfer would have had the node write its dump first
			assertThat(rdbFilesIn(redis.dir())).as("RDB files the node wrote").isEmpty();
			Backup row = this.backups.find(db, finished.path("id").asString()).orElseThrow();
			byte[] stored;
			try (InputStream in = this.store.read(row.objectKey())) {
				stored = in.readAllBytes();
			}
			assertThat((long) stored.length).isEqualTo(row.storedSize());
			assertThat(sha256(stored)).isEqualTo(row.storedSha256());
			byte[] archive = decrypt(row.objectKey());
			assertThat((long) archive.length).isEqualTo(row.archiveSize()).isEqualTo(finished.path("size").asLong());
			assertThat(sha256(archive)).isEqualTo(row.archiveSha256());
			assertThat(archive.length).isGreaterThan(2 * 5 * 1024 * 1024);

			Path file = work.resolve("backup.tar.gz");
			Files.write(file, archive);
			run(work, "gzip", "-t", file.toString());
			assertThat(run(work, "tar", "tzf", file.toString())).isEqualTo("dump.rdb\nbackup.json\n");
			run(work, "pigz", "-t", file.toString());
			run(work, "igzip", "-t", file.toString());

			Path dump = BackupRoundTripTest.untar(archive, work);
			JsonNode manifest = JsonMapper.builder().build().readTree(Files.readString(work.resolve("backup.json")));
			assertThat(manifest.path("rdb_sha256").asString()).isEqualTo(sha256(Files.readAllBytes(dump)));
			assertThat(manifest.path("rdb_size").asLong()).isEqualTo(Files.size(dump)).isEqualTo(row.rdbSize());
			try (RedisServerProcess restored = RedisServerProcess.options().loading(dump).start();
					Jedis source = redis.jedis();
					Jedis copy = restored.jedis()) {
				Map<Integer, Map<String, String>> expected = RedisDataset.snapshot(source);
				assertThat(RedisDataset.differences(expected, RedisDataset.snapshot(copy))).isEmpty();
			}
			assertThat(spools()).isEmpty();
		}
	}

	@Test
	void aNodeDyingMidStreamLeavesNoObjectNoSpoolAndAClearReason() throws Exception {
		try (RedisServerProcess redis = disklessNode();
				CuttableTcpProxy link = new CuttableTcpProxy(redis.host(), redis.port())) {
			writeRandomValues(redis);
			String db = registerDatabase("diskless-dies", PASSWORD, "stream", link.port()).text("id");
			link.cutAfterDownstreamBytes(7L * 1024 * 1024);

			JsonNode failed = backUp(db);

			assertThat(failed.path("status").asString()).as(failed.toString()).isEqualTo("error");
			assertThat(failed.path("error").asString()).contains("127.0.0.1:" + link.port());
			assertThat(link.isCut()).isTrue();
			assertThat(this.store.list(db + "/")).isEmpty();
			assertThat(this.store.pendingUploads(db + "/")).isEmpty();
			assertThat(spools()).isEmpty();

			link.heal();
			JsonNode next = backUp(db);
			assertThat(next.path("status").asString()).as(next.toString()).isEqualTo("done");
			assertThat(spools()).isEmpty();
		}
	}

	private static RedisServerProcess disklessNode() {
		return RedisServerProcess.options()
			.password(PASSWORD)
			.set("repl-diskless-sync", "yes")
			.set("repl-diskless-sync-delay", "0")
			.start();
	}

	private static void writeRandomValues(RedisServerProcess redis) {
		Random random = new Random(15);
		try (Jedis jedis = redis.jedis()) {
			for (int i = 0; i < RANDOM_MIB; i++) {
				byte[] value = new byte[1024 * 1024];
				random.nextBytes(value);
				jedis.set(("random:" + i).getBytes(), value);
			}
		}
	}

	private List<Path> spools() throws IOException {
		Path folder = this.service.dataDir().resolve("spool");
		if (!Files.isDirectory(folder)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.toList();
		}
	}

	private static List<Path> rdbFilesIn(Path folder) throws IOException {
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".rdb")).toList();
		}
	}

	private byte[] decrypt(String objectKey) throws Exception {
		Keyring keyring = Keyring.load(CofferTestServices.get().keyring());
		try (InputStream stored = this.store.read(objectKey);
				InputStream plain = new DecryptingInputStream(stored, keyring)) {
			return plain.readAllBytes();
		}
	}

	/** Runs a command; fails the test with its output unless it exits with 0. */
	private static String run(Path folder, String... command) throws Exception {
		List<String> arguments = new ArrayList<>(List.of(command));
		Process process = new ProcessBuilder(arguments).directory(folder.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
		return output;
	}

}
