package io.coffer.backup;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.StoppedInstances;
import io.coffer.catalog.InterruptedWork;
import io.coffer.storage.BlobStore;
import io.coffer.storage.PendingUpload;
import io.coffer.system.JobExecutions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Backups left {@code scheduled} or {@code running} by an instance that is gone become {@code error},
 * and what they were uploading is aborted.
 * <p>
 * "Gone" is read from Quartz's own cluster heartbeat ({@code qrtz_scheduler_state}): every instance
 * checks in every few seconds, and each backup row names the instance that runs it. An instance
 * without a check-in for {@code coffer.housekeeping.instance-timeout} has stopped, whatever its
 * backups' age or progress; a long but live backup is never cut. Rows that this same instance id
 * left before its last start are interrupted too (a restart with a fixed id), and so are the rows of this
 * instance that none of its threads runs ({@link RunningBackups}): their end could not be written, the
 * catalogue being unreachable then (its PostgreSQL restarting), and they must not stay in flight for ever.
 */
@Component
@Order(1)
public class InterruptedBackups implements InterruptedWork {

	static final String INTERRUPTED = JobExecutions.INTERRUPTED;

	static final String LOST = "interrupted: the catalogue was unreachable when it ended";

	private static final Logger log = LoggerFactory.getLogger(InterruptedBackups.class);

	private final BackupRepository backups;

	private final BlobStore store;

	private final JobRepository jobRepository;

	private final Duration abandonedUploadAge;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	private final RunningBackups running;

	InterruptedBackups(BackupRepository backups, BlobStore store, JobRepository jobRepository,
			AbandonedUploadProperties settings, Clock clock, ApplicationEventPublisher events, RunningBackups running) {
		this.running = running;
		this.backups = backups;
		this.store = store;
		this.jobRepository = jobRepository;
		this.abandonedUploadAge = settings.abandonedUploadAge();
		this.clock = clock;
		this.events = events;
	}

	@Override
	public String kind() {
		return "backups";
	}

	@Override
	public int recover(StoppedInstances stopped) {
		Instant now = this.clock.instant();
		int interrupted = 0;
		int aborted = 0;
		List<BackupRepository.Interrupted> found = new ArrayList<>(this.backups.findInterrupted(stopped));
		Map<String, String> reasons = new HashMap<>();
		found.forEach((backup) -> reasons.put(backup.id(), INTERRUPTED));
		// rows of this very instance that none of its threads runs: their end was lost with the catalogue
		for (BackupRepository.Interrupted backup : this.backups.findInFlightOf(stopped.me(), now)) {
			if (!this.running.isRunning(backup.id()) && !reasons.containsKey(backup.id())) {
				found.add(backup);
				reasons.put(backup.id(), LOST);
			}
		}
		for (BackupRepository.Interrupted backup : found) {
			try {
				this.backups.markError(backup.id(), reasons.get(backup.id()), now);
				interrupted++;
				log.warn("Backup {} of {} was interrupted: {}", backup.id(), backup.databaseId(),
						INTERRUPTED.equals(reasons.get(backup.id())) ? "instance " + backup.instanceId() + " stopped"
								: "this instance lost the catalogue when it ended");
			}
			catch (RuntimeException ex) {
				// finished meanwhile, or gone: nothing to recover
				continue;
			}
			this.backups.find(backup.databaseId(), backup.id())
				.ifPresent((failed) -> this.events.publishEvent(BackupFinished.of(failed, "interrupted")));
			aborted += abortUploads(backup.objectKey(), Instant.MAX);
			JobExecutions.failInterrupted(this.jobRepository, backup.jobExecutionId(), INTERRUPTED, now);
		}
		aborted += abortAbandonedUploads(now);
		if (interrupted > 0 || aborted > 0) {
			log.info("Recovery: {} interrupted backups recorded, {} uploads aborted", interrupted, aborted);
		}
		return interrupted;
	}

	/**
	 * Uploads that no backup in flight is writing: those of failed backups at once (their object must
	 * never appear), any other once older than the abandoned-upload age.
	 */
	private int abortAbandonedUploads(Instant now) {
		Set<String> inFlight = this.backups.objectKeysInFlight();
		int aborted = 0;
		try {
			for (PendingUpload upload : this.store.pendingUploads("")) {
				if (inFlight.contains(upload.key())) {
					continue;
				}
				if (this.backups.failedWithObject(upload.key()) || upload.initiated() == null
						|| upload.initiated().isBefore(now.minus(this.abandonedUploadAge))) {
					this.store.abortPending(upload);
					aborted++;
				}
			}
		}
		catch (IOException ex) {
			log.warn("Abandoned uploads could not be listed or aborted: {}", ex.getMessage());
		}
		return aborted;
	}

	private int abortUploads(String key, Instant olderThan) {
		int aborted = 0;
		try {
			for (PendingUpload upload : this.store.pendingUploads(key)) {
				if (upload.key().equals(key) && upload.initiated().isBefore(olderThan)) {
					this.store.abortPending(upload);
					aborted++;
				}
			}
		}
		catch (IOException ex) {
			log.warn("The upload of {} could not be aborted: {}", key, ex.getMessage());
		}
		return aborted;
	}

}
