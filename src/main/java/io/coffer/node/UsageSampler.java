package io.coffer.node;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Every {@code coffer.stats.sample-interval}, reads the container figures of each running database's
 * primary into the {@link UsageHistory}. A node that does not answer is simply not sampled that round.
 */
@Component
class UsageSampler implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(UsageSampler.class);

	private final DatabaseRepository databases;

	private final DatabaseStats stats;

	private final UsageHistory history;

	private final StatsProperties settings;

	private final Clock clock;

	private volatile ScheduledExecutorService executor;

	UsageSampler(DatabaseRepository databases, DatabaseStats stats, UsageHistory history, StatsProperties settings,
			Clock clock) {
		this.databases = databases;
		this.stats = stats;
		this.history = history;
		this.settings = settings;
		this.clock = clock;
	}

	@Override
	public void start() {
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "usage-sampler");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.settings.sampleInterval().toMillis();
		this.executor.scheduleWithFixedDelay(this::sampleAll, 0, interval, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		ScheduledExecutorService running = this.executor;
		if (running != null) {
			running.shutdownNow();
			this.executor = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

	void sampleAll() {
		try {
			for (Database database : this.databases.findAllLive()) {
				if (Thread.currentThread().isInterrupted()) {
					return;
				}
				if (DatabaseStatus.RUNNING.equals(database.status())) {
					sample(database);
				}
			}
			this.history.forgetOlderThan(this.clock.instant().minus(this.settings.window()));
		}
		catch (RuntimeException ex) {
			log.warn("Sampling of the databases' usage failed this round: {}", ex.getMessage(), ex);
		}
	}

	private void sample(Database database) {
		try {
			this.stats.sample(database);
		}
		catch (RuntimeException ex) {
			// an unreachable node, one being removed: the chart shows the gap
			log.debug("Not sampled {}: {}", database.id(), ex.getMessage());
		}
	}

}
