package io.coffer.backup;

import io.coffer.system.Unavailable;

/** The backup taken before deleting the database has not finished in time: ask again to wait for it. */
public class FinalBackupPending extends Unavailable {

	public FinalBackupPending(String message) {
		super("final_backup_pending", message, null);
	}

}
