package io.coffer.backup;

import io.coffer.redis.RedisAccessException;

import java.net.SocketTimeoutException;
import java.time.Clock;

import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.BackupTakenOver;
import io.coffer.catalog.RunStatus;
import io.coffer.crypto.IntegrityException;
import io.coffer.pipeline.rdb.InvalidRdbException;
import io.coffer.storage.BlobStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Records why a backup failed, in a sentence a user understands, and makes sure nothing of it stays
 * in object storage. Whatever went wrong, the row leaves {@code scheduled}/{@code running}.
 */
@Component
class BackupFailures {

	private static final Logger log = LoggerFactory.getLogger(BackupFailures.class);

	private final BackupRepository backups;

	private final BackupSteps steps;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	BackupFailures(BackupRepository backups, BackupSteps steps, Clock clock, ApplicationEventPublisher events) {
		this.backups = backups;
		this.steps = steps;
		this.clock = clock;
		this.events = events;
	}

	void record(String databaseId, String backupId, Throwable cause) {
		BackupTakenOver takenOver = takenOver(cause);
		if (takenOver != null) {
			// the row is another instance's now, which recorded why: only what this one wrote is removed
			this.steps.cleanUpAfterFailure(databaseId, backupId);
			log.warn("Backup {} of {} stopped: {}", backupId, databaseId, takenOver.getMessage());
			return;
		}
		String reason = sentence(cause);
		log.warn("Backup {} of {} failed: {}", backupId, databaseId, reason, cause);
		this.steps.cleanUpAfterFailure(databaseId, backupId);
		try {
			this.backups.markError(backupId, reason, this.clock.instant());
			this.backups.find(databaseId, backupId)
				.ifPresent((failed) -> this.events.publishEvent(BackupFinished.of(failed, reason(cause))));
		}
		catch (RunStatus.IllegalStateTransitionException ex) {
			log.warn("Backup {} could not be marked as failed: {}", backupId, ex.getMessage());
		}
	}

	/**
	 * Why a backup failed, as one of a small fixed set of codes (a metric's label, never free text):
	 * {@code redis}, {@code timeout}, {@code invalid_rdb}, {@code storage}, {@code integrity},
	 * {@code queue_full}, {@code interrupted} (recorded by housekeeping), {@code other}.
	 */
	static String reason(Throwable cause) {
		for (Throwable current = cause; current != null; current = current.getCause()) {
			if (current instanceof SocketTimeoutException) {
				return "timeout";
			}
			if (current instanceof RedisAccessException) {
				return "redis";
			}
			if (current instanceof io.coffer.pipeline.rdb.InvalidRdbException) {
				return "invalid_rdb";
			}
			if (current instanceof io.coffer.storage.BlobStoreException) {
				return "storage";
			}
			if (current instanceof io.coffer.crypto.IntegrityException) {
				return "integrity";
			}
			if (current instanceof java.util.concurrent.RejectedExecutionException) {
				return "queue_full";
			}
		}
		return "other";
	}

	private static BackupTakenOver takenOver(Throwable cause) {
		for (Throwable current = cause; current != null; current = current.getCause()) {
			if (current instanceof BackupTakenOver takenOver) {
				return takenOver;
			}
		}
		return null;
	}

	/** The most telling message in the chain of causes: ours are written for users. */
	static String sentence(Throwable cause) {
		if (cause == null) {
			return "the backup stopped without saying why; see the service log";
		}
		for (Throwable current = cause; current != null; current = current.getCause()) {
			if (current instanceof BlobStoreException storage) {
				// the row is read by the database's owner: the endpoint, bucket and key stay in the log
				return storage.publicMessage();
			}
			if (current instanceof RedisAccessException || current instanceof IntegrityException
					|| current instanceof InvalidRdbException) {
				return current.getMessage();
			}
			if (current instanceof SocketTimeoutException) {
				return "the node stopped sending its snapshot (timed out)";
			}
		}
		Throwable root = cause;
		while (root.getCause() != null && root.getMessage() == null) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

}
