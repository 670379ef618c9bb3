package io.coffer.backup;

/**
 * Published once a rebuild wrote a whole catalogue back from a snapshot (and the backups made after it):
 * what is derived from the catalogue's rows, such as each database's periodic backup in Quartz, is made
 * again from them.
 */
public record CatalogueRestored(String snapshotKey) {
}
