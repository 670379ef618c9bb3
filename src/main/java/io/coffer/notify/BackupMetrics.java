package io.coffer.notify;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.coffer.backup.BackupFinished;
import io.coffer.catalog.BackupRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * Backup metrics for Prometheus: duration and size (histograms, for percentiles across instances),
 * failures by reason (a fixed set of codes), the last success per database, and this instance's
 * running and queued backups.
 */
@Component
class BackupMetrics {

	private final MeterRegistry meters;

	private final BackupRepository backups;

	private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

	BackupMetrics(MeterRegistry meters, BackupRepository backups,
			@Qualifier("backupExecutor") ThreadPoolTaskExecutor backupExecutor) {
		this.meters = meters;
		this.backups = backups;
		Gauge.builder("coffer.backup.running", backupExecutor, ThreadPoolTaskExecutor::getActiveCount)
			.description("Backups running on this instance")
			.register(meters);
		Gauge.builder("coffer.backup.queued", backupExecutor, (executor) -> executor.getQueueSize())
			.description("Backups waiting for a turn on this instance (the limit is coffer.backup.max-concurrent)")
			.register(meters);
	}

	/** The last successes known to the catalogue, so that the gauge is right from the start. */
	@EventListener(ApplicationReadyEvent.class)
	void loadLastSuccesses() {
		this.backups.lastSuccessOfEachLiveDatabase().forEach(this::success);
	}

	@EventListener
	void backupFinished(BackupFinished event) {
		String outcome = event.succeeded() ? "success" : "failure";
		Timer.builder("coffer.backup.duration")
			.description("Time a backup took, from its start to its end")
			.tag("outcome", outcome)
			.tag("method", String.valueOf(event.method()))
			.publishPercentileHistogram()
			.register(this.meters)
			.record(event.duration());
		if (event.succeeded()) {
			if (event.size() != null) {
				DistributionSummary.builder("coffer.backup.size")
					.description("Size of the downloadable archive of a successful backup")
					.baseUnit("bytes")
					.publishPercentileHistogram()
					.register(this.meters)
					.record(event.size());
			}
			success(event.databaseId(), (event.finishedAt() != null) ? event.finishedAt() : Instant.now());
		}
		else {
			Counter.builder("coffer.backup.failures")
				.description("Failed backups by reason")
				.tag("reason", (event.reason() != null) ? event.reason() : "other")
				.register(this.meters)
				.increment();
		}
	}

	private void success(String databaseId, Instant at) {
		this.lastSuccess.computeIfAbsent(databaseId, (id) -> {
			AtomicLong seconds = new AtomicLong();
			Gauge.builder("coffer.backup.last.success", seconds, AtomicLong::get)
				.description("When the database's last successful backup finished (seconds since the epoch)")
				.baseUnit("seconds")
				.tag("database", id)
				.register(this.meters);
			return seconds;
		}).accumulateAndGet(at.getEpochSecond(), Math::max);
	}

}
