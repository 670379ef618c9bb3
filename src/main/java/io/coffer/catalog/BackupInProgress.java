package io.coffer.catalog;

import io.coffer.system.Conflict;

/**
 * A backup of the database is scheduled or running (its row is what refuses a second one, across
 * every instance): a periodic run skips, a restore or an import waits for it.
 */
public class BackupInProgress extends Conflict {

	public BackupInProgress(String message) {
		super("backup_in_progress", message);
	}

}
