package io.coffer.backup;

import io.coffer.system.Refused;

/** The backup taken before deleting the database failed: the database is kept. */
public class FinalBackupFailed extends Refused {

	public FinalBackupFailed(String message) {
		super("final_backup_failed", message);
	}

}
