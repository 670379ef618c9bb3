package io.coffer.pitr;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.coffer.storage.BlobStore;
import io.coffer.storage.EmbeddedS3Server;
import io.coffer.storage.S3BlobStore;
import io.coffer.storage.S3Settings;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferCluster;
import io.coffer.testsupport.CofferJvm;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of Coffer as separate processes; the one archiving a database is killed with {@code kill -9}
 * while writes go on. The other takes the lease once it has run out ({@code coffer.housekeeping.instance-timeout})
 * and continues from the end of the last uploaded segment: the node's backlog still holds what the dead one
 * received but never uploaded, so the archive goes on without a gap.
 */
class KilledArchiverTest {

	private static final Duration INSTANCE_TIMEOUT = Duration.ofSeconds(6);

	private CofferCluster cluster;

	private RedisServerProcess redis;

	@AfterEach
	void stop() {
		if (this.cluster != null) {
			this.cluster.close();
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void anotherInstanceTakesOverAKilledArchiverAndContinuesWithoutAGap() throws Exception {
		this.redis = RedisServerProcess.start();
		this.cluster = CofferCluster.named("pitr-killed")
			.with("coffer.housekeeping.instance-timeout", INSTANCE_TIMEOUT.toSeconds() + "s");
		// one after the other: two instances starting at once on a fresh catalogue race to store its schedules
		List<CofferJvm> instances = new java.util.ArrayList<>(this.cluster.start(1));
		instances.addAll(this.cluster.start(1));
		JdbcClient catalogue = this.cluster.catalogue();
		ApiClient api = instances.get(0).api(CofferTestServices.ADMIN_TOKEN);
		String db = PitrSwitch.registerArchived(api, "pitr-killed", this.redis.port());
		ArchivedSegments archived = ArchivedSegments.inCatalogue(catalogue, bucket(), db);

		await().atMost(Duration.ofSeconds(90)).until(() -> bases(catalogue, db) == 1);
		write(0, 100);
		await().atMost(Duration.ofSeconds(90)).until(() -> archived.holdsSet("w:99", "v99"));
		String holder = owner(catalogue, db);
		CofferJvm victim = instances.stream().filter((jvm) -> jvm.name().equals(holder)).findFirst().orElseThrow();
		CofferJvm survivor = instances.stream().filter((jvm) -> jvm != victim).findFirst().orElseThrow();
		// received by the victim, and not uploaded before it dies: a segment is sealed every 2 s here
		write(100, 150);
		victim.kill();
		long killedAt = System.nanoTime();
		write(150, 250);

		await().atMost(INSTANCE_TIMEOUT.multipliedBy(4))
			.until(() -> survivor.name().equals(owner(catalogue, db)));
		Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
		assertThat(takeover).as("time until the survivor holds the lease")
			.isLessThan(INSTANCE_TIMEOUT.plusSeconds(5));
		await().atMost(Duration.ofSeconds(60)).until(() -> archived.holdsSet("w:249", "v249"));

		assertThat(catalogue.sql("select count(*) from pitr_gaps where database_id = ?").param(db)
			.query(Integer.class).single()).as("gaps").isZero();
		archived.assertContiguous();
		String text = archived.text();
		for (int n = 0; n < 250; n++) {
			assertThat(text).contains(ArchivedSegments.set("w:" + n, "v" + n));
		}
		assertThat(bases(catalogue, db)).as("base backups: the first one only").isEqualTo(1);
		assertThat(survivor.log()).contains("continues at offset");
	}

	private void write(int from, int to) {
		try (Jedis jedis = this.redis.jedis()) {
			for (int n = from; n < to; n++) {
				jedis.set("w:" + n, "v" + n);
			}
		}
	}

	private static int bases(JdbcClient catalogue, String db) {
		return catalogue.sql("select count(*) from backups where database_id = ? and method = 'archive'")
			.param(db)
			.query(Integer.class)
			.single();
	}

	private static String owner(JdbcClient catalogue, String db) {
		List<Map<String, Object>> rows = catalogue.sql("select owner from pitr_archivers where database_id = ?")
			.param(db)
			.query()
			.listOfRows();
		return rows.isEmpty() ? null : (String) rows.get(0).get("owner");
	}

	/** The cluster's bucket, as Coffer reads it. */
	private BlobStore bucket() throws java.io.IOException {
		EmbeddedS3Server s3 = CofferTestServices.get().s3();
		return new S3BlobStore(S3Settings.of(s3.endpoint(), s3.accessKey(), s3.secretKey(), this.cluster.bucket()))
			.start();
	}

}
