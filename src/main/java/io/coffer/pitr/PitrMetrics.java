package io.coffer.pitr;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.coffer.catalog.PitrRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Point-in-time recovery's metrics for Prometheus, per database with it on: {@code coffer_pitr_lag_seconds} (how
 * long ago everything received was last made durable, the API's {@code lag_ms}; while nothing was yet, since it
 * was turned on), {@code coffer_pitr_upload_lag_seconds} (the age of the oldest archived command not yet in object
 * storage, the API's {@code upload_lag_ms}; 0 while none waits), {@code coffer_pitr_upload_failing} (1 while the
 * last upload failed and segments wait on local disk), {@code coffer_pitr_gaps} (the gaps in its archived stream)
 * and {@code coffer_pitr_archived_bytes_total} (bytes of the replication stream this instance stored in object
 * storage). The gauges are the catalogue's view, the same on every instance, read in one query every
 * {@value #REFRESH_SECONDS} seconds so that a scrape costs nothing however many databases there are.
 */
@Component
public class PitrMetrics implements SmartLifecycle {

	static final int REFRESH_SECONDS = 5;

	private static final Logger log = LoggerFactory.getLogger(PitrMetrics.class);

	private final MeterRegistry meters;

	private final PitrRepository pitr;

	private final Clock clock;

	private final MultiGauge lag;

	private final MultiGauge gaps;

	private final MultiGauge uploadLag;

	private final MultiGauge uploadFailing;

	private ScheduledExecutorService refresher;

	PitrMetrics(MeterRegistry meters, PitrRepository pitr, Clock clock) {
		this.meters = meters;
		this.pitr = pitr;
		this.clock = clock;
		this.lag = MultiGauge.builder("coffer.pitr.lag")
			.description("How long ago everything the archiver received from the node was last made durable")
			.baseUnit("seconds")
			.register(meters);
		this.gaps = MultiGauge.builder("coffer.pitr.gaps")
			.description("Gaps in the archived replication stream that point-in-time recovery cannot cross")
			.register(meters);
		this.uploadLag = MultiGauge.builder("coffer.pitr.upload.lag")
			.description("Age of the oldest archived command not yet in object storage")
			.baseUnit("seconds")
			.register(meters);
		this.uploadFailing = MultiGauge.builder("coffer.pitr.upload.failing")
			.description("1 while the last upload of archived segments failed and segments wait on local disk")
			.register(meters);
	}

	/** {@code bytes} more of the database's replication stream are in object storage. */
	void archived(String databaseId, long bytes) {
		Counter.builder("coffer.pitr.archived")
			.description("Bytes of the replication stream stored in object storage by this instance")
			.baseUnit("bytes")
			.tag("database", databaseId)
			.register(this.meters)
			.increment(bytes);
	}

	/** Reads the catalogue again; a database turned off or deleted loses its rows. */
	public void refresh() {
		List<PitrRepository.Progress> progress = this.pitr.progress();
		Instant now = this.clock.instant();
		this.lag.register(progress.stream()
			.map((database) -> MultiGauge.Row.of(Tags.of("database", database.databaseId()), lagSeconds(database, now)))
			.toList(), true);
		this.gaps.register(progress.stream()
			.map((database) -> MultiGauge.Row.of(Tags.of("database", database.databaseId()), database.gaps()))
			.toList(), true);
		this.uploadLag.register(progress.stream()
			.map((database) -> MultiGauge.Row.of(Tags.of("database", database.databaseId()),
					uploadLagSeconds(database, now)))
			.toList(), true);
		this.uploadFailing.register(progress.stream()
			.map((database) -> MultiGauge.Row.of(Tags.of("database", database.databaseId()),
					(database.uploadFailing() && database.oldestUnuploadedAt() != null) ? 1 : 0))
			.toList(), true);
	}

	private static double uploadLagSeconds(PitrRepository.Progress database, Instant now) {
		Instant since = database.oldestUnuploadedAt();
		return (since != null) ? Math.max(0, now.toEpochMilli() - since.toEpochMilli()) / 1000.0 : 0;
	}

	private static double lagSeconds(PitrRepository.Progress database, Instant now) {
		Instant since = (database.lastDurableAt() != null) ? database.lastDurableAt() : database.enabledAt();
		return Math.max(0, now.toEpochMilli() - since.toEpochMilli()) / 1000.0;
	}

	private void refreshQuietly() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			log.debug("Point-in-time recovery's metrics could not be read: {}", ex.getMessage());
		}
	}

	@Override
	public synchronized void start() {
		this.refresher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "pitr-metrics");
			thread.setDaemon(true);
			return thread;
		});
		this.refresher.scheduleWithFixedDelay(this::refreshQuietly, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
	}

	@Override
	public synchronized void stop() {
		if (this.refresher != null) {
			this.refresher.shutdownNow();
			this.refresher = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.refresher != null;
	}

}
