package io.coffer.pitr;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.catalog.PitrRepository;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What Prometheus scrapes of point-in-time recovery, against a real redis-server being archived: the bytes of its
 * stream in object storage, how far behind the archiver is, and the gaps.
 */
class PitrMetricsTest extends ArchivingTest {

	private static final String PASSWORD = "metrics-secret";

	private RedisServerProcess redis;

	@BeforeEach
	void startRedis() {
		this.redis = RedisServerProcess.startWithPassword(PASSWORD);
		register("pitr-metrics", PASSWORD, this.redis);
	}

	@Test
	void bytesArchivedLagAndGapsArePerDatabase() {
		setPitr(true);
		// what is written once the archiver continues from its base is the stream it archives
		awaitBase();
		try (Jedis jedis = this.redis.jedis()) {
			for (int n = 0; n < 100; n++) {
				jedis.set("metric:" + n, "x".repeat(1000));
			}
		}
		// the stream of 100 values of 1000 bytes each is in object storage, and counted
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> value(scrape(), "coffer_pitr_archived_bytes_total") >= 100_000);
		// exactly the bytes of the segments recorded (one may be uploading between two reads)
		await().atMost(Duration.ofSeconds(30))
			.until(() -> value(scrape(), "coffer_pitr_archived_bytes_total") == this.pitr.segments(this.db)
				.stream()
				.mapToLong((segment) -> segment.endOffset() - segment.startOffset() + 1)
				.sum());

		// an archiver that runs well made everything durable within seconds
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			String metrics = scrape();
			return metrics.contains("coffer_pitr_lag_seconds{database=\"" + this.db + "\"}")
					&& value(metrics, "coffer_pitr_lag_seconds") < 5;
		});
		assertThat(value(scrape(), "coffer_pitr_gaps")).isZero();
		// and its segments reach storage within seconds (sealed every 2 s here)
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			String metrics = scrape();
			double uploadLag = value(metrics, "coffer_pitr_upload_lag_seconds");
			return uploadLag >= 0 && uploadLag < 10 && value(metrics, "coffer_pitr_upload_failing") == 0;
		});

		// a gap is counted
		this.pitr.insertGap(this.db, new PitrRepository.Gap(Instant.now().minusSeconds(60), Instant.now(),
				"the node restarted", null));
		await().atMost(Duration.ofSeconds(30)).until(() -> value(scrape(), "coffer_pitr_gaps") == 1);

		// turned off, the database is no longer watched
		setPitr(false);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> !scrape().contains("coffer_pitr_lag_seconds{database=\"" + this.db + "\"}"));
	}

	private String scrape() {
		return operator().get("/actuator/prometheus").body();
	}

	/** The value of this database's sample of {@code metric}; -1 when there is none. */
	private double value(String metrics, String metric) {
		Matcher sample = Pattern.compile("(?m)^" + metric + "\\{database=\"" + Pattern.quote(this.db) + "\"[^}]*} (\\S+)$")
			.matcher(metrics);
		return sample.find() ? Double.parseDouble(sample.group(1)) : -1;
	}

}
