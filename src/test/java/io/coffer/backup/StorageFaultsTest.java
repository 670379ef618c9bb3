package io.coffer.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.EmbeddedS3Server;
import io.coffer.testsupport.CuttableTcpProxy;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.ServiceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Object storage that fails under a running backup: it goes away in the middle of the upload, or
 * refuses the credentials. This class has object storage of its own, behind a proxy it can cut.
 */
@DirtiesContext // its storage proxy closes after the class; so must its context, or it stays in the Quartz cluster
// and takes other tests' backups to a storage that is gone
class StorageFaultsTest extends ServiceTest {

	private static final String PASSWORD = "storage-faults";

	private static final Path folder;

	private static EmbeddedS3Server s3;

	private static final CuttableTcpProxy link;

	private static RedisServerProcess redis;

	@Autowired
	BackupRepository backups;

	@Autowired
	io.coffer.storage.BlobStore store;

	static {
		try {
			folder = Files.createTempDirectory("coffer-storage-faults");
			s3 = new EmbeddedS3Server(folder, 0, "faults-access", "faults-secret").start();
			link = new CuttableTcpProxy("127.0.0.1", s3.port());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@DynamicPropertySource
	static void ownStorage(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
		registry.add("coffer.s3.endpoint", () -> "http://127.0.0.1:" + link.port());
		registry.add("coffer.s3.access-key", () -> "faults-access");
		registry.add("coffer.s3.secret-key", () -> "faults-secret");
	}

	@BeforeAll
	static void startRedisWithIncompressibleData() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
		Random random = new Random(42);
		try (Jedis jedis = redis.jedis()) {
			Pipeline pipeline = jedis.pipelined();
			for (int i = 0; i < 24; i++) {
				byte[] value = new byte[1024 * 1024];
				random.nextBytes(value);
				pipeline.set(("random:" + i).getBytes(), value);
			}
			pipeline.sync();
		}
	}

	/** A test that failed before its storage came back must not leave the next one a cut link. */
	@AfterEach
	void healTheLink() {
		link.heal();
	}

	@AfterAll
	static void stopAll() throws IOException {
		redis.close();
		link.close();
		s3.close();
	}

	@Test
	void storageThatGoesAwayDuringTheUploadFailsTheBackupAndLeavesNoObject() {
		String db = register("storage-away");
		link.cutAfterUpstreamBytes(8L * 1024 * 1024);

		JsonNode failed = backUp(db);

		assertThat(link.isCut()).as("the upload went through the cut: %s", failed).isTrue();
		assertThat(failed.path("status").asString()).as(failed.toString()).isEqualTo("error");
		assertThat(failed.path("error").asString()).containsIgnoringCase("object storage")
			.doesNotContain("127.0.0.1:" + link.port())
			.doesNotContain(db + "/");
		link.heal();
		assertNoObjectButDoneOnes(db);
		JsonNode next = backUp(db);
		assertThat(next.path("status").asString()).as(next.toString()).isEqualTo("done");
		assertNoObjectButDoneOnes(db);
	}

	@Test
	void storageThatRefusesTheCredentialsIsReportedAsSuch() throws IOException {
		String db = register("storage-creds");
		int port = s3.port();
		s3.close();
		EmbeddedS3Server otherCredentials = new EmbeddedS3Server(folder, port, "someone-else", "another-secret")
			.start();
		try {
			JsonNode failed = backUp(db);

			assertThat(failed.path("status").asString()).as(failed.toString()).isEqualTo("error");
			assertThat(failed.path("error").asString()).containsIgnoringCase("credentials")
				.doesNotContain("127.0.0.1:" + link.port());
		}
		finally {
			otherCredentials.close();
			s3 = new EmbeddedS3Server(folder, port, "faults-access", "faults-secret").start();
		}
		JsonNode next = backUp(db);
		assertThat(next.path("status").asString()).as(next.toString()).isEqualTo("done");
		assertNoObjectButDoneOnes(db);
	}

	private String register(String app) {
		return registerDatabase(app, PASSWORD, "stream", redis.port()).text("id");
	}

	private void assertNoObjectButDoneOnes(String db) {
		try {
			java.util.Set<String> done = new java.util.HashSet<>();
			for (Backup backup : this.backups.findAll(db)) {
				assertThat(backup.status()).isIn(RunStatus.DONE, RunStatus.ERROR);
				if (backup.status() == RunStatus.DONE) {
					done.add(backup.objectKey());
				}
			}
			assertThat(this.store.list(db + "/").stream().map(BlobInfo::key)).containsExactlyInAnyOrderElementsOf(done);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
