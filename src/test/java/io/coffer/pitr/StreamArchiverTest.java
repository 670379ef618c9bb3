package io.coffer.pitr;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.coffer.catalog.Backup;
import io.coffer.catalog.PitrRepository;
import io.coffer.redis.RespRequest;
import io.coffer.system.CofferInstance;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The archiver against a real redis-server, the catalogue and the S3 server: what is written on the node
 * ends up, command by command with its arrival time, in uploaded encrypted segments; a node that comes back
 * empty is a gap and a new base, never hidden.
 */
class StreamArchiverTest extends ArchivingTest {

	private static final String PASSWORD = "archiver-secret";

	@Autowired
	PitrArchivers archivers;

	@Autowired
	CofferInstance instance;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	SegmentUploader uploader;

	private RedisServerProcess redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisServerProcess.startWithPassword(PASSWORD);
		register("pitr", PASSWORD, this.redis);
	}

	@Test
	void writesAreArchivedInUploadedSegmentsWithTheirArrivalTimes() throws Exception {
		ApiClient.Response enabled = setPitr(true);
		assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
		assertThat(enabled.json().path("enabled").asBoolean()).isTrue();
		Backup base = awaitBase();
		assertThat(base.method()).isEqualTo("archive");
		assertThat(base.replication()).isNotNull();

		Instant beforeWrites = Instant.now();
		try (Jedis jedis = this.redis.jedis()) {
			for (int n = 0; n < 200; n++) {
				jedis.set("w:" + n, "value-" + n);
			}
		}
		Instant afterWrites = Instant.now();

		await().atMost(Duration.ofSeconds(30)).until(() -> archived().text().contains("value-199"));
		List<PitrRepository.Segment> segments = this.pitr.segments(this.db);
		assertThat(segments.get(0).startOffset()).isEqualTo(base.replication().offset() + 1);
		for (int i = 1; i < segments.size(); i++) {
			assertThat(segments.get(i).startOffset()).as("segments follow each other")
				.isEqualTo(segments.get(i - 1).endOffset() + 1);
			assertThat(segments.get(i).replid()).isEqualTo(base.replication().replid());
		}
		String text = archived().text();
		for (int n = 0; n < 200; n++) {
			assertThat(text).contains("w:" + n + "\r\n$" + ("value-" + n).length() + "\r\nvalue-" + n + "\r\n");
		}
		assertThat(this.store.list("pitr/" + this.db + "/")).hasSize(segments.size());
		List<Long> arrivals = archived().arrivalsOfSet();
		assertThat(arrivals).hasSize(200);
		assertThat(arrivals).allSatisfy((ms) -> assertThat(ms)
			.isBetween(beforeWrites.toEpochMilli() - 5, afterWrites.toEpochMilli() + 1_000));
		assertThat(arrivals).isSorted();

		JsonNode status = this.owner.get("/api/v1/databases/" + this.db + "/pitr").json();
		assertThat(status.path("enabled").asBoolean()).isTrue();
		// the base holds the dataset of when the node answered, which its start records
		assertThat(Instant.parse(status.path("recoverable_from").asString())).isEqualTo(base.startedAt());
		assertThat(Instant.parse(status.path("recoverable_to").asString())).isAfterOrEqualTo(
				Instant.ofEpochMilli(arrivals.get(arrivals.size() - 1)));
		assertThat(status.path("lag_ms").asLong()).as(status.toString()).isBetween(0L, 3_000L);
		assertThat(status.path("gaps").isEmpty()).isTrue();
	}

	@Test
	void aNodeThatComesBackEmptyIsAGapAndANewBase() throws Exception {
		setPitr(true);
		Backup first = awaitBase();
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("before-the-crash", "1");
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> archived().text().contains("before-the-crash"));

		this.redis.kill();
		this.redis.restart();
		try (Jedis jedis = this.redis.jedis()) {
			jedis.set("after-the-crash", "1");
		}

		await().atMost(Duration.ofSeconds(60)).until(() -> !this.pitr.gaps(this.db).isEmpty());
		PitrRepository.Gap gap = this.pitr.gaps(this.db).get(0);
		assertThat(gap.reason()).contains("no longer held offset").contains(this.redis.address());
		Backup second = this.backups.find(this.db, gap.baseBackupId()).orElseThrow();
		assertThat(second.method()).isEqualTo("archive");
		assertThat(second.replication().replid()).isNotEqualTo(first.replication().replid());
		JsonNode status = this.owner.get("/api/v1/databases/" + this.db + "/pitr").json();
		assertThat(status.path("gaps")).hasSize(1);
		assertThat(status.path("gaps").get(0).path("base_backup").asString()).isEqualTo(second.id());
		await().atMost(Duration.ofSeconds(30)).until(() -> this.pitr.segments(this.db)
			.stream()
			.anyMatch((segment) -> segment.replid().equals(second.replication().replid())));
	}

	@Test
	void anArchiverWhoseLeaseWentToAnotherInstanceStopsAndLeavesItThere() {
		setPitr(true);
		awaitBase();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.archivers.archiving().contains(this.db)
				&& this.redis.info("replication").get("connected_slaves").equals("1"));
		assertThat(this.pitr.find(this.db).orElseThrow().owner()).isEqualTo(this.instance.id());
		assertThat(this.pitr.claim(this.db, "another-instance", Duration.ofMinutes(5)))
			.as("a lease held and renewed is not taken").isFalse();

		// what another instance does once this one's lease has run out
		this.jdbc.sql("update pitr_archivers set owner = 'another-instance', lease_until = now() + interval '5 minutes'"
				+ " where database_id = ?").param(this.db).update();

		await().atMost(Duration.ofSeconds(20)).until(() -> !this.archivers.archiving().contains(this.db)
				&& this.redis.info("replication").get("connected_slaves").equals("0"));
		assertThat(this.pitr.find(this.db).orElseThrow().owner()).isEqualTo("another-instance");
		this.jdbc.sql("update pitr_archivers set owner = null, lease_until = null where database_id = ?")
			.param(this.db)
			.update();
	}

	@Test
	void aSecondSegmentAtTheSameOffsetDoesNotReplaceTheFirst(@TempDir Path folder) throws Exception {
		String replid = "f".repeat(40);
		PitrRepository.Segment first = this.uploader.upload(this.db, sealed(folder, replid, "first"));
		PitrRepository.Segment second = this.uploader.upload(this.db, sealed(folder, replid, "second"));

		assertThat(second.objectKey()).isNotEqualTo(first.objectKey());
		assertThat(first.objectKey()).startsWith("pitr/" + this.db + "/" + replid + "/" + String.format("%020d", 7));
		ArchivedSegments archived = archived();
		assertThat(new String(archived.read(first).stream(), StandardCharsets.UTF_8)).contains("first");
		assertThat(new String(archived.read(second).stream(), StandardCharsets.UTF_8)).contains("second");
		assertThat(this.pitr.segments(this.db)).extracting(PitrRepository.Segment::objectKey)
			.containsExactlyInAnyOrder(first.objectKey(), second.objectKey());
	}

	/** A sealed segment at offset 7 of {@code replid} holding {@code SET segment <value>}. */
	private static OpenSegment sealed(Path folder, String replid, String value) throws Exception {
		OpenSegment segment = new OpenSegment(folder, replid, 7);
		segment.sink().write(RespRequest.of("SET", "segment", value));
		segment.commandEnded(CommandKind.OTHER, System.currentTimeMillis());
		segment.seal();
		return segment;
	}

}
