package io.coffer.catalog;

import io.coffer.system.NotFound;

/** No live database has this id (or this app): it never existed, or it was deleted. */
public class DatabaseNotFound extends NotFound {

	public DatabaseNotFound(String databaseId) {
		super("database " + databaseId);
	}

	private DatabaseNotFound(String code, String message) {
		super(code, message);
	}

	/** For a restore into "the database of app X", the app being what the caller named. */
	public static DatabaseNotFound ofApp(String app) {
		return new DatabaseNotFound("not_found", "a database of app " + app + " was not found");
	}

}
