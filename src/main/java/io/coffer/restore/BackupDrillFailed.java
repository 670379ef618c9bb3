package io.coffer.restore;

import java.time.Instant;

/**
 * Published when a restore drill found that a backup does not restore; the backup is already flagged
 * in the catalogue ({@code integrity_error}). What the {@code database_backup_drill_failed} webhook is
 * made of.
 */
public record BackupDrillFailed(String databaseId, String backupId, String name, String method, String problem,
		Instant createdAt, Instant checkedAt) {
}
