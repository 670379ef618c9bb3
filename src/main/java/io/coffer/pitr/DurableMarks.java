package io.coffer.pitr;

import io.coffer.catalog.PitrRepository;
import io.coffer.system.CofferInstance;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * When each archiver of this instance last made what it received durable, what it does and what of its stream
 * waits for object storage, written to the catalogue for all of them in one statement a second ({@code lag_ms},
 * {@code state} and {@code upload_lag_ms} read it), rather than one statement per archiver.
 */
@Component
class DurableMarks implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DurableMarks.class);

	private final PitrRepository pitr;

	private final CofferInstance instance;

	private final PitrEventLoop loop;

	private final Map<String, PitrRepository.Durable> marks = new ConcurrentHashMap<>();

	private volatile io.netty.util.concurrent.ScheduledFuture<?> flushing;

	DurableMarks(PitrRepository pitr, CofferInstance instance, PitrEventLoop loop) {
		this.pitr = pitr;
		this.instance = instance;
		this.loop = loop;
	}

	/** How the archiver of {@code databaseId} stands now; a mark not yet written is replaced by a newer one. */
	void mark(String databaseId, PitrRepository.Durable mark) {
		this.marks.put(databaseId, mark);
	}

	/** Writes the marks gathered since the last time. */
	void flush() {
		if (this.marks.isEmpty()) {
			return;
		}
		Map<String, PitrRepository.Durable> due = new HashMap<>();
		for (String databaseId : this.marks.keySet()) {
			PitrRepository.Durable at = this.marks.remove(databaseId);
			if (at != null) {
				due.put(databaseId, at);
			}
		}
		this.pitr.recordDurable(due, this.instance.id());
	}

	private void flushQuietly() {
		try {
			flush();
		}
		catch (RuntimeException ex) {
			log.warn("Point-in-time recovery: the archivers' durable marks could not be recorded: {}", ex.getMessage());
		}
	}

	@Override
	public void start() {
		// on a thread of its own, never on the connections' threads (the catalogue may be slow), nor queued behind the
		// archivers' work
		this.flushing = this.loop.io().next().scheduleAtFixedRate(
				() -> this.loop.marks().execute(this::flushQuietly), 1, 1, TimeUnit.SECONDS);
	}

	@Override
	public void stop() {
		io.netty.util.concurrent.ScheduledFuture<?> running = this.flushing;
		if (running != null) {
			running.cancel(false);
			this.flushing = null;
		}
		flushQuietly();
	}

	@Override
	public boolean isRunning() {
		return this.flushing != null;
	}

	@Override
	public int getPhase() {
		// starts before the archivers and stops after them, so that their last marks are written
		return SmartLifecycle.DEFAULT_PHASE - 1;
	}

}
