package io.coffer.web;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.coffer.catalog.Backup;

/**
 * A backup as the API lists it; {@code size} is that of the downloadable {@code .tar.gz}; {@code verifiedAt}
 * is when {@code verifyBackupsJob} last read it whole, null until then.
 */
record BackupView(String id, Instant createdAt, String name, Long size, String status, String method,
		NodeView node, String error, Long bytesProcessed, @JsonInclude(Include.NON_NULL) String integrityError,
		Instant verifiedAt) {

	record NodeView(String role, String host, int port, String reason) {
	}

	static BackupView of(Backup backup) {
		NodeView node = (backup.node() != null) ? new NodeView(backup.node().role(), backup.node().host(),
				backup.node().port(), backup.node().reason()) : null;
		boolean running = !backup.status().isFinished();
		return new BackupView(backup.id(), backup.createdAt(), backup.name(), backup.archiveSize(),
				backup.status().value(), backup.method(), node, backup.error(),
				running ? backup.bytesProcessed() : null, backup.integrityError(), backup.verifiedAt());
	}

}
