package io.coffer.backup;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Looks, on every instance, whether a snapshot of the catalogue is due (see
 * {@link CatalogueSnapshots#writeIfDue}) every {@code interval} (at most every 5 seconds): so a burst of
 * changes is written once, an interval after the previous snapshot at the latest, and a quiet catalogue
 * once a day. One thread; a catalogue or a bucket that is down is logged, and the next look tries again.
 */
@Component
class CatalogueSnapshotWriter implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(CatalogueSnapshotWriter.class);

	private final CatalogueSnapshots snapshots;

	private final Duration period;

	private ScheduledExecutorService scheduler;

	private boolean failing;

	CatalogueSnapshotWriter(CatalogueSnapshots snapshots, CatalogueSnapshotProperties settings) {
		this.snapshots = snapshots;
		this.period = (settings.interval().compareTo(Duration.ofSeconds(5)) < 0)
				? settings.interval().compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : settings.interval()
				: Duration.ofSeconds(5);
	}

	@Override
	public synchronized void start() {
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "catalogue-snapshot");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.scheduleWithFixedDelay(this::look, this.period.toMillis(), this.period.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler != null) {
			// a snapshot being written is aborted: its changes stay pending for the next instance or start
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.scheduler != null;
	}

	private void look() {
		try {
			this.snapshots.writeIfDue();
			if (this.failing) {
				log.info("Catalogue snapshots are written again");
				this.failing = false;
			}
		}
		catch (Exception ex) {
			if (!this.failing) {
				log.warn("A snapshot of the catalogue could not be written (tried again every {}): {}", this.period,
						ex.getMessage());
			}
			this.failing = true;
		}
	}

}
