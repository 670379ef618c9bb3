package io.coffer.provision;

import io.coffer.system.Conflict;

/** The database to create exists already: the app has one, or its id is taken. */
public class DatabaseExists extends Conflict {

	private DatabaseExists(String code, String message) {
		super(code, message);
	}

	/** An app has at most one live database. */
	public static DatabaseExists forApp(String app) {
		return new DatabaseExists("app_has_database", "the app " + app + " already has a database");
	}

	public static DatabaseExists withId(String id) {
		return new DatabaseExists("database_exists", "a database with the id " + id + " already exists");
	}

}
