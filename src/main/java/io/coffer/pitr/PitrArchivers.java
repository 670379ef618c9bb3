package io.coffer.pitr;

import io.coffer.catalog.PitrRepository;
import io.coffer.system.ClusterProperties;
import io.coffer.system.CofferInstance;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the archivers this instance holds the lease of. Every two seconds it claims (or renews) the lease of
 * each database with point-in-time recovery on, for {@code coffer.housekeeping.instance-timeout}: a database
 * nobody holds, or whose holder stopped renewing, gets an archiver here; one whose lease this instance lost, or
 * whose recovery was turned off, has its archiver stopped.
 */
@Component
class PitrArchivers implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(PitrArchivers.class);

	private static final Duration ROUND = Duration.ofSeconds(2);

	private final PitrRepository pitr;

	private final PitrCollaborators with;

	private final CofferInstance instance;

	private final Duration lease;

	private final Map<String, StreamArchiver> running = new ConcurrentHashMap<>();

	private ScheduledExecutorService rounds;

	private final PitrEventLoop loop;

	PitrArchivers(PitrRepository pitr, PitrCollaborators with, PitrEventLoop loop, CofferInstance instance,
			ClusterProperties cluster) {
		this.pitr = pitr;
		this.loop = loop;
		this.with = with;
		this.instance = instance;
		this.lease = cluster.instanceTimeout();
	}

	@Override
	public synchronized void start() {
		this.rounds = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "pitr-leases");
			thread.setDaemon(true);
			return thread;
		});
		this.rounds.scheduleWithFixedDelay(this::roundQuietly, 0, ROUND.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public synchronized void stop() {
		if (this.rounds == null) {
			return;
		}
		this.rounds.shutdownNow();
		this.rounds = null;
		this.running.values().forEach(StreamArchiver::stop);
		long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		// each uploads what it sealed and gives up its lease on its own serial work
		while (System.nanoTime() < until && !this.running.values().stream().allMatch(StreamArchiver::isFinished)) {
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		this.running.clear();
	}

	@Override
	public synchronized boolean isRunning() {
		return this.rounds != null;
	}

	/** The databases this instance archives now, or whose archiver is still stopping. */
	Set<String> archiving() {
		return Set.copyOf(this.running.keySet());
	}

	private void roundQuietly() {
		try {
			round();
		}
		catch (RuntimeException ex) {
			log.warn("Point-in-time recovery: the round of leases failed: {}", ex.getMessage());
		}
	}

	void round() {
		this.running.entrySet().removeIf((entry) -> entry.getValue().isFinished());
		List<String> enabled = this.pitr.enabledDatabases();
		Set<String> stale = new HashSet<>(this.running.keySet());
		stale.removeAll(enabled);
		stale.forEach(this::stopArchiver);
		for (String databaseId : enabled) {
			boolean held = this.pitr.claim(databaseId, this.instance.id(), this.lease);
			if (held && !this.running.containsKey(databaseId)) {
				StreamArchiver archiver = new StreamArchiver(databaseId, this.with, this.loop);
				this.running.put(databaseId, archiver);
				archiver.start();
				log.info("Point-in-time recovery: this instance archives {}", databaseId);
			}
			else if (!held && this.running.containsKey(databaseId)) {
				log.warn("Point-in-time recovery: the lease of {} went to another instance", databaseId);
				stopArchiver(databaseId);
			}
		}
	}

	/**
	 * Asks the archiver to stop; it stays listed until it has finished (it may be uploading what it sealed),
	 * so that no second archiver of the database starts here, on the same folder, meanwhile.
	 */
	private void stopArchiver(String databaseId) {
		StreamArchiver archiver = this.running.get(databaseId);
		if (archiver != null) {
			archiver.stop();
		}
	}

}
