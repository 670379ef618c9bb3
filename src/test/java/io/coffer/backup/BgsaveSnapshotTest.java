package io.coffer.backup;

import io.coffer.redis.RedisAccessException;

import io.coffer.redis.RedisConnections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.coffer.testsupport.RdbFiles;
import io.coffer.testsupport.RedisExtension;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class BgsaveSnapshotTest {

	@RegisterExtension
	static RedisExtension redis = RedisExtension.standalone().password("pw");

	private final BgsaveSnapshot snapshots = new BgsaveSnapshot(new RedisConnections(), Duration.ofSeconds(30),
			Map.of());

	@BeforeAll
	static void fill() {
		redis.server().populate(5_000, "key", 32);
		try (Jedis jedis = redis.server().jedis()) {
			jedis.hset("profile:1", Map.of("name", "Ada"));
		}
	}

	@Test
	void dumpHoldsTheDatasetAndIsNewerThanTheRequest() throws IOException {
		RedisServerProcess server = redis.server();
		long lastSaveBefore;
		try (Jedis jedis = server.jedis()) {
			lastSaveBefore = jedis.lastsave();
		}

		byte[] rdb;
		try (Snapshot snapshot = this.snapshots.open(server.endpoint())) {
			rdb = snapshot.stream().readAllBytes();
			assertThat(snapshot.expectedLength()).isEqualTo(rdb.length);
			assertThat(snapshot.nodeDescription()).startsWith(server.address() + " (BGSAVE, ");
		}

		assertThat(new String(rdb, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("REDIS");
		assertThat(RdbFiles.digestOf(rdb)).isEqualTo(server.digest());
		try (Jedis jedis = server.jedis()) {
			assertThat(jedis.lastsave()).isGreaterThanOrEqualTo(lastSaveBefore);
		}
	}

	@Test
	void bgsaveAlreadyRunningIsAwaitedThenOursIsTaken() throws IOException {
		RedisServerProcess server = redis.server();
		try (Jedis jedis = server.jedis()) {
			// slows the dump to about half a second so that ours finds it running
			jedis.configSet("rdb-key-save-delay", "100");
			jedis.bgsave();
		}
		try (Snapshot snapshot = this.snapshots.open(server.endpoint())) {
			assertThat(RdbFiles.digestOf(snapshot.stream().readAllBytes())).isEqualTo(server.digest());
		}
		finally {
			try (Jedis jedis = server.jedis()) {
				jedis.configSet("rdb-key-save-delay", "0");
			}
		}
	}

	@Test
	void bgsaveDuringAnAofRewriteIsScheduled() throws IOException {
		RedisServerProcess server = redis.server();
		try (Jedis jedis = server.jedis()) {
			jedis.configSet("rdb-key-save-delay", "100");
			jedis.bgrewriteaof();
			assertThat(server.info("persistence")).containsEntry("aof_rewrite_in_progress", "1");
		}
		try (Snapshot snapshot = this.snapshots.open(server.endpoint())) {
			assertThat(RdbFiles.digestOf(snapshot.stream().readAllBytes())).isEqualTo(server.digest());
		}
		finally {
			try (Jedis jedis = server.jedis()) {
				jedis.configSet("rdb-key-save-delay", "0");
			}
			await().atMost(Duration.ofSeconds(10))
				.until(() -> server.info("persistence").get("aof_rewrite_in_progress"), "0"::equals);
		}
	}

	@Test
	void dumpIsReadThroughThePathMapping(@TempDir Path temp) throws IOException {
		RedisServerProcess server = redis.server();
		Path mounted = Files.createSymbolicLink(temp.resolve("mounted"), server.dir());
		BgsaveSnapshot mapped = new BgsaveSnapshot(new RedisConnections(), Duration.ofSeconds(30),
				Map.of(server.dir().toString(), mounted.toString()));

		try (Snapshot snapshot = mapped.open(server.endpoint())) {
			assertThat(snapshot.nodeDescription()).contains(mounted.resolve("dump.rdb").toString());
			assertThat(RdbFiles.digestOf(snapshot.stream().readAllBytes())).isEqualTo(server.digest());
		}
	}

	@Test
	void dumpOutsideTheMappedFolderIsExplained(@TempDir Path temp) {
		RedisServerProcess server = redis.server();
		BgsaveSnapshot mapped = new BgsaveSnapshot(new RedisConnections(), Duration.ofSeconds(30),
				Map.of(server.dir().toString(), temp.toString()));

		assertThatExceptionOfType(NoSuchFileException.class).isThrownBy(() -> mapped.open(server.endpoint()))
			.withMessageContaining("the dump written by Redis at " + server.address() + " is not readable at "
					+ server.dir().resolve("dump.rdb") + " on the node, " + temp.resolve("dump.rdb") + " here");
	}

	@Test
	void failingBgsaveIsReportedClearly(@TempDir Path temp) throws IOException {
		try (RedisServerProcess server = RedisServerProcess.options().password("pw")
			.set("enable-protected-configs", "local")
			.start()) {
			server.populate(100, "key", 10);
			// Redis chdirs into its data folder; once that folder is deleted, even root cannot create the dump there
			Path doomed = Files.createDirectory(temp.resolve("doomed"));
			try (Jedis jedis = server.jedis()) {
				jedis.configSet("dir", doomed.toString());
			}
			Files.delete(doomed);

			assertThatExceptionOfType(RedisAccessException.class)
				.isThrownBy(() -> this.snapshots.open(server.endpoint()))
				.withMessage("BGSAVE failed on " + server.address()
						+ ": see the Redis log; e.g. its data folder is not writable")
				.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.SNAPSHOT_FAILED));
			assertThat(server.logTail(20)).contains("Failed opening the temp RDB file");
		}
	}

	@Test
	void bgsaveThatTakesTooLongTimesOut() {
		RedisServerProcess server = redis.server();
		BgsaveSnapshot impatient = new BgsaveSnapshot(new RedisConnections(), Duration.ofMillis(300), Map.of());
		try (Jedis jedis = server.jedis()) {
			jedis.configSet("rdb-key-save-delay", "200");
		}
		try {
			assertThatExceptionOfType(RedisAccessException.class).isThrownBy(() -> impatient.open(server.endpoint()))
				.withMessage("BGSAVE on " + server.address() + " did not finish within 0.3 s")
				.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.TIMEOUT));
		}
		finally {
			try (Jedis jedis = server.jedis()) {
				jedis.configSet("rdb-key-save-delay", "0");
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> server.info("persistence").get("rdb_bgsave_in_progress"), "0"::equals);
		}
	}

}
