package io.coffer.catalog;

import io.coffer.system.Conflict;

/** A restore of the database, or into it, is in flight: its data is being replaced. */
public class RestoreInProgress extends Conflict {

	public RestoreInProgress(String message) {
		super("restore_in_progress", message);
	}

}
