package io.coffer.web;

import io.coffer.catalog.Backup;

/**
 * Reading an archive failed after its headers were sent: the response must be cut short, never
 * completed with an error body.
 */
class ArchiveDownloadAbortedException extends RuntimeException {

	ArchiveDownloadAbortedException(Backup backup, Throwable cause) {
		super("the download of backup " + backup.id() + " of " + backup.databaseId() + " was aborted: "
				+ cause.getMessage(), cause);
	}

}
