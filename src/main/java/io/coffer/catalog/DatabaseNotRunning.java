package io.coffer.catalog;

import io.coffer.system.Conflict;

/** The database is in a status (error, deleting…) from which the change asked cannot be made. */
public class DatabaseNotRunning extends Conflict {

	public DatabaseNotRunning(String message) {
		super("database_not_running", message);
	}

}
