package io.coffer.storage;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract against a real S3 API (S3Proxy over a temporary folder, on a free port),
 * plus what only a remote storage can do wrong.
 */
class S3BlobStoreTest extends BlobStoreContractTest {

	private static final String ACCESS_KEY = "coffer-test";

	private static final String SECRET_KEY = "coffer-test-secret";

	@TempDir
	static Path folder;

	static EmbeddedS3Server server;

	private static int bucketCount;

	private S3BlobStore store;

	@BeforeAll
	static void startServer() throws IOException {
		server = new EmbeddedS3Server(folder, 0, ACCESS_KEY, SECRET_KEY).start();
	}

	@AfterAll
	static void stopServer() {
		if (server != null) {
			server.close();
		}
	}

	/** A bucket per test, so that each starts empty without cleaning up after the last. */
	@BeforeEach
	void createStore() throws IOException {
		server.start();
		bucketCount++;
		this.store = new S3BlobStore(settings().withBucket("backups-" + bucketCount)).start();
	}

	@AfterEach
	void closeStore() {
		this.store.close();
	}

	@Override
	BlobStore blobStore() {
		return this.store;
	}

	static S3Settings settings() {
		return S3Settings.of(server.endpoint(), ACCESS_KEY, SECRET_KEY, "backups").withPartSize(PART_SIZE);
	}

	@Test
	void serverPortIsChosenWhenNoneIsGiven() {
		assertThat(server.port()).isPositive();
		assertThat(server.endpoint()).isEqualTo("http://127.0.0.1:" + server.port());
	}

	@Test
	void missingBucketIsCreatedOnStart() throws IOException {
		try (S3BlobStore created = new S3BlobStore(settings().withBucket("created-on-start")).start()) {
			created.checkReachable();
		}
	}

	@Test
	void wrongCredentialsAreNamed() {
		try (S3BlobStore wrong = new S3BlobStore(settings().withCredentials(ACCESS_KEY, "not-the-secret").withCreateBucket(false))) {
			assertThatThrownBy(wrong::checkReachable).isInstanceOf(BlobStoreException.class)
				.hasMessageStartingWith("object storage at " + server.endpoint() + " rejected the credentials (access key coffer-test)");
			assertThatThrownBy(() -> {
				try (BlobUpload upload = wrong.openUpload("db/denied")) {
					upload.write(randomBytes(10, 1));
				}
			}).isInstanceOf(BlobStoreException.class).hasMessageContaining("rejected the credentials (access key coffer-test)");
		}
		try (S3BlobStore unknown = new S3BlobStore(settings().withCredentials("nobody", SECRET_KEY).withCreateBucket(false))) {
			assertThatThrownBy(() -> unknown.stat("db/x")).isInstanceOf(BlobStoreException.class)
				.hasMessageContaining("rejected the credentials (access key nobody)");
		}
	}

	@Test
	void missingBucketIsNamed() {
		try (S3BlobStore missing = new S3BlobStore(settings().withBucket("no-such-bucket").withCreateBucket(false))) {
			String expected = "bucket 'no-such-bucket' does not exist at " + server.endpoint();
			assertThatThrownBy(missing::start).hasMessage(expected);
			assertThatThrownBy(() -> missing.stat("db/x")).hasMessage(expected);
			assertThatThrownBy(() -> missing.read("db/x")).hasMessage(expected);
			assertThatThrownBy(() -> missing.list("db/")).hasMessage(expected);
			assertThatThrownBy(() -> {
				try (BlobUpload upload = missing.openUpload("db/x")) {
					upload.write(randomBytes(10, 1));
				}
			}).hasMessage(expected);
		}
	}

	@Test
	void bucketNamesShorterThanThreeCharactersAreRefusedUpFront() {
		assertThatThrownBy(() -> settings().withBucket("bk")).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("too short");
	}

	@Test
	void partsSmallerThanS3AllowsAreRefusedUpFront() {
		assertThatThrownBy(() -> settings().withPartSize(PART_SIZE - 1)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("minimum");
	}

	@Test
	void stoppedStorageIsReportedAsUnreachable() {
		server.stop();

		assertThatThrownBy(this.store::checkReachable).isInstanceOf(BlobStoreException.class)
			.hasMessageStartingWith("object storage at " + server.endpoint() + " is unreachable");
		assertThatThrownBy(() -> this.store.stat("db/x")).hasMessageStartingWith("object storage at " + server.endpoint() + " is unreachable");
	}

	@Test
	void storageStoppedDuringAnUploadFailsTheWriterAndAbortLeavesNothingOnceItIsBack() throws IOException {
		BlobUpload upload = this.store.openUpload("db/interrupted");
		byte[] part = randomBytes(PART_SIZE, 9);
		upload.write(part);
		upload.write(part);
		assertThat(this.store.pendingUploads("")).extracting(PendingUpload::key).containsExactly("db/interrupted");

		server.stop();
		assertThatThrownBy(() -> {
			for (int i = 0; i < 3; i++) {
				upload.write(part);
			}
			upload.complete();
		}).isInstanceOf(BlobStoreException.class)
			.hasMessageStartingWith("object storage at " + server.endpoint() + " is unreachable");
		assertThatThrownBy(upload::complete).as("a failed upload stays failed").isInstanceOf(BlobStoreException.class);

		server.start();
		upload.abort();

		assertThat(this.store.stat("db/interrupted")).isEmpty();
		assertThat(this.store.list("")).isEmpty();
		assertThat(this.store.pendingUploads("")).isEmpty();
	}

	@Test
	void abortWhileStorageIsDownFailsAndCanBeRetried() throws IOException {
		BlobUpload upload = this.store.openUpload("db/retried");
		upload.write(randomBytes(PART_SIZE + 1, 10));

		server.stop();
		assertThatThrownBy(upload::abort).hasMessageContaining("is unreachable");

		server.start();
		assertThat(this.store.pendingUploads("")).as("still there until an abort reaches the storage").hasSize(1);
		upload.abort();
		assertThat(this.store.pendingUploads("")).isEmpty();
	}

}
