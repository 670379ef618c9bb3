package io.coffer.pitr;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;

import io.coffer.catalog.PitrRepository;
import io.coffer.redis.RespRequest;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reader against segments stored in the S3 server and recorded in the catalogue, their commands stamped
 * with chosen arrival times: it starts from the base the segments continue, stops at the last command that
 * arrived at or before the time asked, never inside a MULTI/EXEC block (one that a segment boundary cuts
 * included), refuses a time outside the window or in a gap, and refuses a segment whose stored bytes changed.
 */
class PointInTimeReaderTest extends IntegrationTest {

	private static final String REPLID = "1".repeat(40);

	private static final String NEW_REPLID = "2".repeat(40);

	private static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

	@Autowired
	PointInTimeReader reader;

	@Autowired
	SegmentUploader uploader;

	@Autowired
	PitrRepository pitr;

	@Autowired
	JdbcClient jdbc;

	@TempDir
	Path folder;

	private RedisServerProcess redis;

	private String db;

	@BeforeEach
	void registerDatabase() {
		this.redis = RedisServerProcess.startWithPassword("reader-secret");
		this.db = registerDatabase("reader-" + System.nanoTime() % 100_000, "reader-secret", "stream",
				this.redis.port()).text("id");
	}

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void replaysUpToTheLastCommandAtTheTimeAndNeverHalfABlock() throws Exception {
		base("base-1", REPLID, 100, T0 - 1_000);
		// segment 1: a at +0, MULTI/b/EXEC at +100..+102, then a block that the segment boundary cuts
		Crafted first = new Crafted(REPLID, 101);
		first.command(T0, "SET", "a", "1");
		first.command(T0 + 100, CommandKind.MULTI, "MULTI");
		first.command(T0 + 100, "SET", "b", "1");
		first.command(T0 + 102, CommandKind.EXEC, "EXEC");
		first.command(T0 + 200, CommandKind.MULTI, "MULTI");
		first.command(T0 + 200, "SET", "c", "1");
		long firstEnd = first.upload();
		// segment 2 goes on with the block, then d
		Crafted second = new Crafted(REPLID, firstEnd + 1);
		second.command(T0 + 300, CommandKind.EXEC, "EXEC");
		second.command(T0 + 400, "SET", "d", "1");
		second.upload();

		assertThat(replayed(T0 - 500)).as("before the first command: the base alone").isEmpty();
		assertThat(replayed(T0 + 50)).isEqualTo(text("SET", "a", "1"));
		assertThat(replayed(T0 + 101)).as("a block whose EXEC came later is left out whole")
			.isEqualTo(text("SET", "a", "1"));
		assertThat(replayed(T0 + 102)).isEqualTo(text("SET", "a", "1") + text("MULTI") + text("SET", "b", "1")
				+ text("EXEC"));
		assertThat(replayed(T0 + 250)).as("a block open at the end of a segment waits for its end")
			.doesNotContain("\r\nc\r\n")
			.endsWith(text("EXEC"));
		assertThat(replayed(T0 + 300)).endsWith(text("MULTI") + text("SET", "c", "1") + text("EXEC"));
		assertThat(replayed(T0 + 400)).endsWith(text("EXEC") + text("SET", "d", "1"));
		PointInTimeReader.Plan plan = this.reader.plan(this.db, Instant.ofEpochMilli(T0 + 400));
		assertThat(this.reader.replay(plan, new ByteArrayOutputStream()).commands()).isEqualTo(8);
		assertThat(plan.base().id()).isEqualTo(this.db + "-base-1");

		assertThatThrownBy(() -> this.reader.plan(this.db, Instant.ofEpochMilli(T0 + 401)))
			.isInstanceOfSatisfying(PointInTimeRefused.class, (refused) -> {
				assertThat(refused.code()).isEqualTo("outside_recoverable_window");
				assertThat(refused.getMessage()).contains(Instant.ofEpochMilli(T0 - 1_000).toString())
					.contains(Instant.ofEpochMilli(T0 + 400).toString());
			});
		assertThatThrownBy(() -> this.reader.plan(this.db, Instant.ofEpochMilli(T0 - 1_001)))
			.isInstanceOfSatisfying(PointInTimeRefused.class,
					(refused) -> assertThat(refused.code()).isEqualTo("outside_recoverable_window"));
	}

	@Test
	void aTimeInAGapIsRefusedAndAfterItTheNewBaseIsUsed() throws Exception {
		base("old-base", REPLID, 100, T0 - 1_000);
		Crafted before = new Crafted(REPLID, 101);
		before.command(T0, "SET", "old", "1");
		before.upload();
		base("new-base", NEW_REPLID, 5_000, T0 + 10_000);
		this.pitr.insertGap(this.db, new PitrRepository.Gap(Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 10_000),
				"Redis no longer held the offset", this.db + "-new-base"));
		Crafted after = new Crafted(NEW_REPLID, 5_001);
		after.command(T0 + 11_000, "SET", "new", "1");
		after.upload();

		assertThatThrownBy(() -> this.reader.plan(this.db, Instant.ofEpochMilli(T0 + 5_000)))
			.isInstanceOfSatisfying(PointInTimeRefused.class, (refused) -> {
				assertThat(refused.code()).isEqualTo("in_recoverable_gap");
				assertThat(refused.getMessage()).contains(Instant.ofEpochMilli(T0).toString())
					.contains(Instant.ofEpochMilli(T0 + 10_000).toString())
					.contains("no longer held the offset");
			});
		assertThat(this.reader.plan(this.db, Instant.ofEpochMilli(T0)).base().id()).isEqualTo(this.db + "-old-base");
		PointInTimeReader.Plan later = this.reader.plan(this.db, Instant.ofEpochMilli(T0 + 11_000));
		assertThat(later.base().id()).isEqualTo(this.db + "-new-base");
		assertThat(replayed(T0 + 11_000)).isEqualTo(text("SET", "new", "1"));
	}

	@Test
	void aSegmentWhoseStoredBytesChangedIsRefused() throws Exception {
		base("base-1", REPLID, 100, T0 - 1_000);
		Crafted only = new Crafted(REPLID, 101);
		only.command(T0, "SET", "a", "1");
		only.upload();
		this.jdbc.sql("update pitr_segments set stored_sha256 = ? where database_id = ?")
			.params("0".repeat(64), this.db)
			.update();
		PointInTimeReader.Plan plan = this.reader.plan(this.db, Instant.ofEpochMilli(T0));
		assertThatThrownBy(() -> this.reader.replay(plan, new ByteArrayOutputStream()))
			.hasMessageContaining("damaged or replaced");
	}

	private String replayed(long atMillis) throws Exception {
		PointInTimeReader.Plan plan = this.reader.plan(this.db, Instant.ofEpochMilli(atMillis));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PointInTimeReader.Replayed replayed = this.reader.replay(plan, out);
		assertThat(replayed.bytes()).isEqualTo(out.size());
		return out.toString(StandardCharsets.ISO_8859_1);
	}

	private static String text(String... arguments) {
		return new String(RespRequest.of(arguments), StandardCharsets.ISO_8859_1);
	}

	private void base(String id, String replid, long offset, long createdAtMillis) {
		this.jdbc.sql("""
				insert into backups (id, database_id, created_at, name, status, method, object_key, archive_size,
				    replication_id, replication_offset)
				values (?, ?, ?, ?, 'done', 'archive', ?, 5, ?, ?)
				""").params(this.db + "-" + id, this.db, Timestamp.from(Instant.ofEpochMilli(createdAtMillis)), id + ".tar.gz",
				this.db + "/" + id, replid, offset).update();
	}

	/** A segment written as the archiver writes one, with the arrival times the test chooses. */
	private final class Crafted {

		private final OpenSegment segment;

		Crafted(String replid, long startOffset) throws Exception {
			Path dir = Files.createDirectories(PointInTimeReaderTest.this.folder.resolve(replid + startOffset));
			this.segment = new OpenSegment(dir, replid, startOffset);
		}

		void command(long arrival, String... arguments) throws Exception {
			command(arrival, CommandKind.OTHER, arguments);
		}

		void command(long arrival, CommandKind kind, String... arguments) throws Exception {
			this.segment.sink().write(RespRequest.of(arguments));
			this.segment.commandEnded(kind, arrival);
		}

		/** Uploads it; answers the offset of its last byte. */
		long upload() throws Exception {
			this.segment.sync();
			this.segment.close();
			return PointInTimeReaderTest.this.uploader.upload(PointInTimeReaderTest.this.db, this.segment).endOffset();
		}

	}

}
