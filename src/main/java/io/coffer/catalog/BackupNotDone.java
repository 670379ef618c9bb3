package io.coffer.catalog;

import io.coffer.system.Conflict;

/** The backup exists but is not {@code done} (still running, or failed): there is nothing to read. */
public class BackupNotDone extends Conflict {

	public BackupNotDone(String message) {
		super("backup_not_done", message);
	}

}
