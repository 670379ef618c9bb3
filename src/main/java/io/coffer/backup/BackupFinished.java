package io.coffer.backup;

import java.time.Duration;
import java.time.Instant;

import io.coffer.catalog.Backup;
import io.coffer.catalog.RunStatus;

/**
 * Published once a backup is {@code done} or {@code error}, after its row says so; what notifications
 * and metrics are made of.
 * @param reason for a failure, one of a small fixed set of codes (see {@link BackupFailures#reason})
 */
public record BackupFinished(String databaseId, String backupId, String method, String name, boolean succeeded,
		Long size, String error, String reason, Instant createdAt, Instant startedAt, Instant finishedAt) {

	public static BackupFinished of(Backup backup, String reason) {
		return new BackupFinished(backup.databaseId(), backup.id(), backup.method(), backup.name(),
				backup.status() == RunStatus.DONE, backup.archiveSize(), backup.error(), reason, backup.createdAt(),
				backup.startedAt(), backup.finishedAt());
	}

	/** From the start of its work (or its creation, if it never started) to its end. */
	public Duration duration() {
		Instant start = (this.startedAt != null) ? this.startedAt : this.createdAt;
		return (start != null && this.finishedAt != null) ? Duration.between(start, this.finishedAt) : Duration.ZERO;
	}

}
