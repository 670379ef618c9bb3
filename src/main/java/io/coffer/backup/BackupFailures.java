package io.coffer.backup;

import java.net.SocketTimeoutException;
import java.time.Clock;

import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.crypto.IntegrityException;
import io.coffer.pipeline.InvalidRdbException;
import io.coffer.storage.BlobStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

	BackupFailures(BackupRepository backups, BackupSteps steps, Clock clock) {
		this.backups = backups;
		this.steps = steps;
		this.clock = clock;
	}

	void record(String databaseId, String backupId, Throwable cause) {
		String reason = sentence(cause);
		log.warn("Backup {} of {} failed: {}", backupId, databaseId, reason, cause);
		this.steps.cleanUpAfterFailure(databaseId, backupId);
		try {
			this.backups.markError(backupId, reason, this.clock.instant());
		}
		catch (RunStatus.IllegalStateTransitionException ex) {
			log.warn("Backup {} could not be marked as failed: {}", backupId, ex.getMessage());
		}
	}

	/** The most telling message in the chain of causes: ours are written for users. */
	static String sentence(Throwable cause) {
		if (cause == null) {
			return "the backup stopped without saying why; see the service log";
		}
		for (Throwable current = cause; current != null; current = current.getCause()) {
			if (current instanceof RedisAccessException || current instanceof BlobStoreException
					|| current instanceof IntegrityException || current instanceof InvalidRdbException) {
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
