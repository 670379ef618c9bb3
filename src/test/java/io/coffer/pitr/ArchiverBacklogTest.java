package io.coffer.pitr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.coffer.catalog.Backup;
import io.coffer.catalog.PitrRepository;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose replication backlog is the smallest Redis allows (16 KiB): while no archiver reads it, more than
 * that is written, so the offset the archive continues from is gone. The archiver takes the node's dump as a
 * new base and records the gap, with why, in {@code gaps}; it never archives past the hole as if it were not
 * there. When the node answers so while every turn at a full synchronisation is taken, the archiver lets the
 * connection go and waits for a turn, then takes the base.
 */
class ArchiverBacklogTest extends ArchivingTest {

	private static final String PASSWORD = "backlog-archiver-secret";

	private RedisServerProcess redis;

	@Autowired
	FullSyncTurns turns;

	@BeforeEach
	void startRedis() {
		this.redis = RedisServerProcess.options().password(PASSWORD).set("repl-backlog-size", "16kb").start();
		register("pitr-backlog", PASSWORD, this.redis);
	}

	@Test
	void writesBeyondTheBacklogWhileNoArchiverReadsAreAGapAndANewBase() throws Exception {
		setEnabled(true);
		Backup first = awaitBase();
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("before", "archived");
		}
		ArchivedSegments archived = archived();
		await().atMost(Duration.ofSeconds(30)).until(() -> archived.holdsSet("before", "archived"));

		setEnabled(false);
		PitrRepository.Segment last = this.pitr.lastSegment(this.db).orElseThrow();
		String big = "x".repeat(1024);
		try (Jedis jedis = this.redis.jedis()) {
			for (int n = 0; n < 64; n++) {
				jedis.set("away:" + n, big);
			}
		}
		assertThat(Long.parseLong(this.redis.info("replication").get("repl_backlog_first_byte_offset")))
			.as("the backlog no longer holds where the archive continues")
			.isGreaterThan(last.endOffset() + 1);

		setEnabled(true);
		await().atMost(Duration.ofSeconds(60)).until(() -> !this.pitr.gaps(this.db).isEmpty());
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("after", "archived");
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> archived.holdsSet("after", "archived"));

		List<PitrRepository.Gap> gaps = this.pitr.gaps(this.db);
		assertThat(gaps).hasSize(1);
		PitrRepository.Gap gap = gaps.get(0);
		assertThat(gap.reason()).contains("no longer held offset " + (last.endOffset() + 1))
			.contains(this.redis.address());
		assertThat(gap.from()).isEqualTo(last.lastArrival());
		Backup second = this.backups.find(this.db, gap.baseBackupId()).orElseThrow();
		assertThat(second.method()).isEqualTo("archive");
		assertThat(second.id()).isNotEqualTo(first.id());
		assertThat(second.replication().replid()).isEqualTo(first.replication().replid());
		assertThat(second.replication().offset()).isGreaterThan(last.endOffset());
		assertThat(archived.text()).as("nothing written while no archiver read is in the archive")
			.doesNotContain("away:");
		PitrRepository.Segment after = this.pitr.lastSegment(this.db).orElseThrow();
		assertThat(after.startOffset()).isEqualTo(second.replication().offset() + 1);

		JsonNode status = this.owner.get("/api/v1/databases/" + this.db + "/pitr").json();
		assertThat(status.path("gaps")).hasSize(1);
		assertThat(status.path("gaps").get(0).path("base_backup").asString()).isEqualTo(second.id());
		assertThat(status.path("gaps").get(0).path("why").asString()).contains("no longer held offset");
	}

	@Test
	void aFullSynchronisationTheNodeAnswersUnaskedWaitsForATurnWithoutItsConnection() throws Exception {
		setEnabled(true);
		awaitBase();
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("before", "archived");
		}
		ArchivedSegments archived = archived();
		await().atMost(Duration.ofSeconds(30)).until(() -> archived.holdsSet("before", "archived"));
		setEnabled(false);
		String big = "x".repeat(1024);
		try (Jedis jedis = this.redis.jedis()) {
			for (int n = 0; n < 64; n++) {
				jedis.set("away:" + n, big);
			}
		}
		int basesBefore = bases();

		// the archiver asks to continue (it has a position) and is answered with a full synchronisation
		List<FullSyncTurns.Turn> held = new ArrayList<>();
		try {
			for (FullSyncTurns.Turn turn = this.turns.tryTake(); turn != null; turn = this.turns.tryTake()) {
				held.add(turn);
			}
			setEnabled(true);
			await().atMost(Duration.ofSeconds(30)).until(() -> "waiting_for_full_sync".equals(
					this.owner.get("/api/v1/databases/" + this.db + "/pitr").json().path("state").asString()));
			assertThat(this.redis.info("replication").get("connected_slaves"))
				.as("no connection held to the node while the archiver waits").isEqualTo("0");
			assertThat(bases()).as("no base taken without a turn").isEqualTo(basesBefore);
		}
		finally {
			held.forEach(FullSyncTurns.Turn::letGo);
		}

		await().atMost(Duration.ofSeconds(60)).until(() -> !this.pitr.gaps(this.db).isEmpty());
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("after", "archived");
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> archived.holdsSet("after", "archived"));
		assertThat(bases()).isEqualTo(basesBefore + 1);
		assertThat(this.pitr.gaps(this.db)).hasSize(1);
	}

	private int bases() {
		return (int) this.backups.findAll(this.db).stream().filter((backup) -> "archive".equals(backup.method())).count();
	}

	private void setEnabled(boolean enabled) {
		setPitr(enabled);
		if (!enabled) {
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.redis.info("replication").get("connected_slaves").equals("0"));
		}
	}

}
