package io.coffer.catalog;

/**
 * The backup's row is no longer this instance's to write: while it was frozen (longer than
 * {@code coffer.housekeeping.instance-timeout}) or cut off from the cluster, another instance counted it as
 * stopped, recorded the backup as interrupted and aborted its upload. Its progress, and above all its commit,
 * are compare-and-sets on the row's status, which fail: it must stop and keep nothing.
 */
public class BackupTakenOver extends RuntimeException {

	public BackupTakenOver(String backupId, Throwable cause) {
		super("backup " + backupId + " was taken over: another instance recorded it as interrupted while this one"
				+ " was not checking in (paused or cut off longer than coffer.housekeeping.instance-timeout); its"
				+ " upload is aborted and nothing of it is kept", cause);
	}

}
