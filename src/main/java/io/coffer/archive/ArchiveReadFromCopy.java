package io.coffer.archive;

/**
 * Published when a read of a backup's archive (a download, restore, drill or verification) left its primary
 * object for its copy in the copy store; {@code problem} says what was wrong with the primary.
 */
public record ArchiveReadFromCopy(String databaseId, String backupId, String problem) {
}
