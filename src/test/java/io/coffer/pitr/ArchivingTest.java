package io.coffer.pitr;

import java.time.Duration;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.junit.jupiter.api.AfterEach;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the tests of an archived database share: one database registered on the test's Redis, its owner's
 * client, point-in-time recovery switched through the API, its first base awaited, its archive read back; after
 * the test, recovery is turned off (once its archiver let go) before the Redis is closed (or the provisioned
 * database deleted).
 */
abstract class ArchivingTest extends IntegrationTest {

	@Autowired
	protected PitrRepository pitr;

	@Autowired
	protected BackupRepository backups;

	@Autowired
	protected BlobStore store;

	/** The database archived. */
	protected String db;

	/** Its owner's client. */
	protected ApiClient owner;

	/** The test's Redis, closed after the test. */
	private AutoCloseable closeAfter;

	private boolean deleteAfter;

	/** Registers {@code node} (with {@code password}) as the database of a new app named after {@code app}. */
	protected void register(String app, String password, RedisServerProcess node) {
		this.closeAfter = node;
		adopt(registerDatabase(uniquely(app), password, "stream", node.port()));
	}

	/** Registers both data nodes of {@code topology} and its sentinels as the database of a new app. */
	protected void register(String app, String password, RedisTopology topology) {
		this.closeAfter = topology;
		adopt(registerDatabase(uniquely(app), password, topology));
	}

	/** Takes a provisioned database as the one archived: it is deleted after the test, once recovery is off. */
	protected void adopt(Provisioned provisioned) {
		this.deleteAfter = true;
		adopt(provisioned.id(), withToken(provisioned.token()));
	}

	/** Turns point-in-time recovery on or off (200 or fails); off returns once the archiver let go. */
	protected ApiClient.Response setPitr(boolean enabled) {
		return PitrSwitch.set(this.owner, this.pitr, this.db, enabled);
	}

	/** The database's latest base, once there is one. */
	protected Backup awaitBase() {
		await().atMost(Duration.ofSeconds(60)).until(() -> this.backups.findLatestBase(this.db).isPresent());
		return this.backups.findLatestBase(this.db).orElseThrow();
	}

	/** What the archiver uploaded for the database, read back as a restore reads it. */
	protected ArchivedSegments archived() {
		return new ArchivedSegments(this.pitr, this.store, this.db);
	}

	@AfterEach
	void stopArchivingAndCloseRedis() throws Exception {
		try {
			if (this.db != null) {
				setPitr(false);
			}
			if (this.deleteAfter) {
				ApiClient.Response deleted = operator().delete("/api/v1/databases/" + this.db);
				assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
			}
		}
		finally {
			if (this.closeAfter != null) {
				this.closeAfter.close();
			}
		}
	}

	private void adopt(ApiClient.Response created) {
		adopt(created.text("id"), withToken(created.text("token")));
	}

	private void adopt(String databaseId, ApiClient databaseOwner) {
		this.db = databaseId;
		this.owner = databaseOwner;
	}

	private static String uniquely(String app) {
		return app + "-" + System.nanoTime() % 100_000;
	}

}
