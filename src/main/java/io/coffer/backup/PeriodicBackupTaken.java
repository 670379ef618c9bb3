package io.coffer.backup;

import io.coffer.system.Conflict;

/**
 * The periodic backup that fell due is done or in flight already: a second firing of its trigger (recovered
 * by Quartz from an instance thought gone, or one that resumed after a freeze) or a retry that came late must
 * not run it twice.
 */
public class PeriodicBackupTaken extends Conflict {

	PeriodicBackupTaken(String message) {
		super("periodic_backup_taken", message);
	}

}
