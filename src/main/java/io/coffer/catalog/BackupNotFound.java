package io.coffer.catalog;

import io.coffer.system.NotFound;

/** The backup asked for does not exist, or there is no good backup to pick. */
public class BackupNotFound extends NotFound {

	/** @param backupRef the backup's id or name, as the caller gave it */
	public BackupNotFound(String backupRef) {
		super("backup " + backupRef);
	}

	private BackupNotFound(String code, String message) {
		super(code, message);
	}

	/**
	 * "The latest backup" was asked for and the database has none that is done.
	 * @param sentence why, as {@link BackupRepository#noGoodBackup} says it
	 */
	public static BackupNotFound noGoodBackup(String sentence) {
		return new BackupNotFound("no_backup", sentence);
	}

}
