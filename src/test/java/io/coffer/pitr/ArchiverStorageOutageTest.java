package io.coffer.pitr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import io.coffer.storage.BlobStore;
import io.coffer.storage.EmbeddedS3Server;
import io.coffer.storage.S3BlobStore;
import io.coffer.storage.S3Settings;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferCluster;
import io.coffer.testsupport.CofferJvm;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.CuttableTcpProxy;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Object storage goes away for two minutes under a running archiver (an instance of its own, whose S3 endpoint is
 * a proxy the test cuts): the sealed segments wait on the instance's disk, {@code last_error} and
 * {@code last_upload_error} say so, {@code upload_lag_ms} grows with the outage and the recoverable window stops
 * growing; once storage is back they are uploaded in order, the errors are cleared, {@code upload_lag_ms} falls
 * back, and the archive holds every write, without a gap. Storage that hangs instead (it takes the upload and never
 * answers) holds up no durable mark: what arrives is on local disk within seconds all along.
 */
class ArchiverStorageOutageTest {

	private static final String NAME = "pitr-outage";

	private static final Duration OUTAGE = Duration.ofMinutes(2);

	private CofferCluster cluster;

	private CuttableTcpProxy link;

	private RedisServerProcess redis;

	@AfterEach
	void stop() throws Exception {
		if (this.cluster != null) {
			this.cluster.close();
		}
		if (this.link != null) {
			this.link.close();
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void segmentsWaitOnDiskWhileStorageIsDownAndAreUploadedOnceItIsBack() throws Exception {
		Archiving archiving = startArchiving(NAME);
		ApiClient api = archiving.api();
		String db = archiving.db();
		ArchivedSegments archived = archiving.archived();
		JdbcClient catalogue = this.cluster.catalogue();
		int uploadedBefore = archived.segments().size();
		Instant recoverableBefore = Instant.parse(status(api, db).path("recoverable_to").asString());
		assertThat(status(api, db).path("state").asString()).isEqualTo("archiving");

		this.link.cutAfterUpstreamBytes(0);
		Instant cutAt = Instant.now();
		Path folder = Path.of("target", "cluster-logs", NAME, NAME + "-1-data", "pitr", db);
		int[] written = { 10 };
		await().atMost(OUTAGE.plusSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			write(written[0], written[0] + 5);
			written[0] += 5;
			return Duration.between(cutAt, Instant.now()).compareTo(OUTAGE) >= 0 && waitingSegments(folder) >= 3;
		});
		JsonNode during = status(api, db);
		assertThat(during.path("last_error").asString()).as(during.toString())
			.contains("segments wait on local disk");
		assertThat(during.path("lag_ms").asLong()).as("what arrives is still durable on local disk within seconds")
			.isLessThan(5_000);
		assertThat(during.path("upload_lag_ms").asLong()).as("the first write after the cut waits for storage")
			.isGreaterThan(OUTAGE.minusSeconds(30).toMillis());
		assertThat(during.path("last_upload_error").asString("")).as(during.toString()).isNotEmpty();
		assertThat(Instant.parse(during.path("recoverable_to").asString())).isEqualTo(recoverableBefore);
		assertThat(archived.segments()).hasSize(uploadedBefore);

		this.link.heal();
		int last = written[0] - 1;
		await().atMost(Duration.ofSeconds(60)).until(() -> archived.holdsSet("w:" + last, "v" + last));
		// an absent field is null: the API leaves nulls out
		await().atMost(Duration.ofSeconds(20)).until(() -> status(api, db).path("last_error").isMissingNode());
		// what is received now waits for storage no longer than a segment is open (2 s here), plus a mark
		await().atMost(Duration.ofSeconds(20)).until(() -> status(api, db).path("upload_lag_ms").asLong(0) < 10_000);
		assertThat(status(api, db).path("last_upload_error").isMissingNode()).isTrue();
		assertThat(waitingSegments(folder)).isZero();
		archived.assertContiguous();
		String text = archived.text();
		for (int n = 0; n < written[0]; n++) {
			assertThat(text).contains(ArchivedSegments.set("w:" + n, "v" + n));
		}
		assertThat(catalogue.sql("select count(*) from pitr_gaps where database_id = ?").param(db)
			.query(Integer.class).single()).as("gaps").isZero();
		assertThat(Instant.parse(status(api, db).path("recoverable_to").asString())).isAfter(recoverableBefore);
	}

	@Test
	void storageThatHangsHoldsUpNoDurableMark() throws Exception {
		Archiving archiving = startArchiving(NAME + "-hang");
		ApiClient api = archiving.api();
		String db = archiving.db();
		ArchivedSegments archived = archiving.archived();
		int uploadedBefore = archived.segments().size();

		this.link.stall();
		Instant stalledAt = Instant.now();
		int[] written = { 10 };
		long[] worstLag = { 0 };
		// longer than the open segment (2 s) and the retry of an upload (5 s) together, several times over: an
		// upload is under way, and held, for most of it
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
			write(written[0], written[0] + 5);
			written[0] += 5;
			JsonNode now = status(api, db);
			worstLag[0] = Math.max(worstLag[0], now.path("lag_ms").asLong());
			return Duration.between(stalledAt, Instant.now()).toSeconds() >= 25
					&& now.path("upload_lag_ms").asLong() > 15_000;
		});
		assertThat(worstLag[0]).as("what arrives is durable on local disk within seconds while an upload hangs")
			.isLessThan(5_000);
		assertThat(archived.segments()).as("nothing got through the hung storage").hasSize(uploadedBefore);

		this.link.resume();
		int last = written[0] - 1;
		// the hung upload ends with the storage's answer, or is tried again after the client's timeout
		await().atMost(Duration.ofMinutes(3)).until(() -> archived.holdsSet("w:" + last, "v" + last));
		archived.assertContiguous();
		String text = archived.text();
		for (int n = 0; n < written[0]; n++) {
			assertThat(text).contains(ArchivedSegments.set("w:" + n, "v" + n));
		}
	}

	private record Archiving(ApiClient api, String db, ArchivedSegments archived) {
	}

	/**
	 * An instance of its own whose storage is behind {@link #link}, archiving a new node's database: its base is
	 * done and ten writes are in object storage.
	 */
	private Archiving startArchiving(String name) throws Exception {
		EmbeddedS3Server s3 = CofferTestServices.get().s3();
		this.link = new CuttableTcpProxy("127.0.0.1", s3.port());
		this.redis = RedisServerProcess.start();
		this.cluster = CofferCluster.named(name).with("coffer.s3.endpoint", "http://127.0.0.1:" + this.link.port());
		CofferJvm instance = this.cluster.start(1).get(0);
		JdbcClient catalogue = this.cluster.catalogue();
		ApiClient api = instance.api(CofferTestServices.ADMIN_TOKEN);
		String db = PitrSwitch.registerArchived(api, name, this.redis.port());
		BlobStore bucket = new S3BlobStore(
				S3Settings.of(s3.endpoint(), s3.accessKey(), s3.secretKey(), this.cluster.bucket()))
			.start();
		ArchivedSegments archived = ArchivedSegments.inCatalogue(catalogue, bucket, db);
		await().atMost(Duration.ofSeconds(90)).until(() -> catalogue
			.sql("select count(*) from backups where database_id = ? and method = 'archive' and status = 'done'")
			.param(db).query(Integer.class).single() == 1);
		write(0, 10);
		await().atMost(Duration.ofSeconds(30)).until(() -> archived.holdsSet("w:9", "v9"));
		return new Archiving(api, db, archived);
	}

	private void write(int from, int to) {
		try (Jedis jedis = this.redis.jedis()) {
			for (int n = from; n < to; n++) {
				jedis.set("w:" + n, "v" + n);
			}
		}
	}

	private static JsonNode status(ApiClient api, String db) {
		return api.get("/api/v1/databases/" + db + "/pitr").json();
	}

	/** Segments on the instance's disk beyond the one being received. */
	private static long waitingSegments(Path folder) throws Exception {
		if (!Files.isDirectory(folder)) {
			return 0;
		}
		try (Stream<Path> files = Files.list(folder)) {
			List<Path> streams = files.filter((file) -> file.toString().endsWith(".stream")).toList();
			return Math.max(0, streams.size() - 1);
		}
	}

}
