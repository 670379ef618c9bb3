package io.coffer.web;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.coffer.catalog.Backup;

/**
 * A backup as the API lists it; {@code size} is that of the downloadable {@code .tar.gz}; {@code verifiedAt}
 * is when {@code verifyBackupsJob} last read it whole, null until then; {@code copy} is its copy in the copy
 * store, left out when no copy store is configured or the backup is not done; {@code replication} is null when
 * the node did not announce it (BGSAVE, an import, a node without {@code PSYNC}).
 */
record BackupView(String id, Instant createdAt, String name, Long size, String status, String method,
		NodeView node, String error, Long bytesProcessed, @JsonInclude(Include.NON_NULL) String integrityError,
		Instant verifiedAt, @JsonInclude(Include.NON_NULL) CopyView copy, ReplicationView replication) {

	record NodeView(String role, String host, int port, String reason) {
	}

	/** Where the dump stands in the node's replication history: {@code replid} and {@code offset}. */
	record ReplicationView(String replid, long offset) {
	}

	/**
	 * {@code state} pending, done or error ({@code error} says why; tried again); {@code primaryError}: why the
	 * backup's own object could not be read the last time a read used the copy instead.
	 */
	record CopyView(String state, String error, Instant copiedAt, @JsonInclude(Include.NON_NULL) String primaryError) {
	}

	/** @param copies whether a copy store is configured */
	static BackupView of(Backup backup, boolean copies) {
		NodeView node = (backup.node() != null) ? new NodeView(backup.node().role(), backup.node().host(),
				backup.node().port(), backup.node().reason()) : null;
		boolean running = !backup.status().isFinished();
		Backup.Copy copy = backup.copy();
		CopyView copyView = (copies && copy != null && copy.state() != null)
				? new CopyView(copy.state(), copy.error(), copy.copiedAt(), copy.primaryError()) : null;
		return new BackupView(backup.id(), backup.createdAt(), backup.name(), backup.archiveSize(),
				backup.status().value(), backup.method(), node, backup.error(),
				running ? backup.bytesProcessed() : null, backup.integrityError(), backup.verifiedAt(), copyView,
				(backup.replication() != null)
						? new ReplicationView(backup.replication().replid(), backup.replication().offset()) : null);
	}

}
