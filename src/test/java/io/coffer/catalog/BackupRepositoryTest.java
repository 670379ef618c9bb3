package io.coffer.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.coffer.testsupport.IntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupRepositoryTest extends IntegrationTest {

	@Autowired
	DatabaseRepository databases;

	@Autowired
	BackupRepository backups;

	private String databaseId;

	@BeforeEach
	void database() {
		this.databaseId = "repo-test-" + System.nanoTime() % 100000;
		this.databases.insert(new Database(this.databaseId, this.databaseId, null, "registered", "running", "stream",
				null, true, null, Instant.now(), List.of(new Node(Node.PRIMARY, "127.0.0.1", 1))));
	}

	@Test
	void aBackupGoesThroughItsLifeAndKeepsWhatItProduced() {
		insert("b1");
		this.backups.markRunning("b1", new Backup.NodeUsed("replica", "127.0.0.1", 7001, "healthy replica"), 42,
				Instant.now());
		this.backups.markDone("b1", new Backup.Outcome(100, "aa", 150, "bb", "k1", "7.0.15", 10, 90,
				Map.of("db0", 3L)), Instant.now());

		Backup done = this.backups.find(this.databaseId, "b1").orElseThrow();
		assertThat(done.status()).isEqualTo(RunStatus.DONE);
		assertThat(done.node().role()).isEqualTo("replica");
		assertThat(done.archiveSize()).isEqualTo(100);
		assertThat(done.keysPerDb()).containsEntry("db0", 3L);
		assertThat(this.backups.findLatestGood(this.databaseId)).map(Backup::id).contains("b1");
	}

	@Test
	void theLatestGoodBackupIsTheNewestDoneOneNotFoundDamaged() {
		assertThat(this.backups.noGoodBackup(this.databaseId)).isEqualTo(this.databaseId + " has no successful backup yet");
		for (String id : List.of("g1", "g2")) {
			insert(id);
			this.backups.markRunning(id, new Backup.NodeUsed("primary", "h", 1, "r"), 1, Instant.now());
			this.backups.markDone(id, new Backup.Outcome(1, "a", 1, "b", "k", "7", 10, 1, Map.of()), Instant.now());
		}
		this.backups.recordIntegrityCheck("g2", "failed authentication at segment 0", Instant.now());

		assertThat(this.backups.findLatestGood(this.databaseId)).map(Backup::id).contains("g1");

		this.backups.recordIntegrityCheck("g1", "restore drill: keys differ", Instant.now());
		assertThat(this.backups.findLatestGood(this.databaseId)).isEmpty();
		assertThat(this.backups.noGoodBackup(this.databaseId)).startsWith(this.databaseId
				+ " has no intact backup: its 2 done backups were found damaged (integrity_error) and skipped");
		// read back whole and sound: good again
		this.backups.recordIntegrityCheck("g1", null, Instant.now());
		assertThat(this.backups.findLatestGood(this.databaseId)).map(Backup::id).contains("g1");
	}

	@Test
	void aForbiddenChangeThrowsAndLeavesTheRowAsItWas() {
		insert("b2");

		assertThatThrownBy(() -> this.backups.markDone("b2", new Backup.Outcome(1, "a", 1, "b", "k", "7", 10, 1,
				Map.of()), Instant.now()))
			.isInstanceOf(RunStatus.IllegalStateTransitionException.class);
		assertThat(this.backups.find(this.databaseId, "b2").orElseThrow().status()).isEqualTo(RunStatus.SCHEDULED);
	}

	@Test
	void aChangeThatLostARaceFailsLoudly() {
		insert("b3");
		this.backups.markRunning("b3", new Backup.NodeUsed("primary", "h", 1, "r"), 1, Instant.now());
		this.backups.markError("b3", "interrupted", Instant.now());

		assertThatThrownBy(() -> this.backups.markRunning("b3", new Backup.NodeUsed("primary", "h", 1, "r"), 2,
				Instant.now()))
			.isInstanceOf(RunStatus.IllegalStateTransitionException.class)
			.hasMessageContaining("no longer scheduled");
	}

	@Test
	void aSecondBackupInFlightOfTheSameDatabaseIsRefused() {
		insert("b4");

		assertThatThrownBy(() -> insert("b5")).isInstanceOf(BackupRepository.BackupInFlightException.class);
		this.backups.markError("b4", "failed", Instant.now());
		insert("b6");
	}

	private void insert(String id) {
		this.backups.insertScheduled(id, this.databaseId, Instant.now(), id + ".tar.gz", Backup.MANUAL,
				this.databaseId + "/" + id);
	}

}
