package io.coffer.web.dashboard;

import java.io.Serializable;

import io.coffer.catalog.DatabaseNotFound;

/**
 * Who is signed in to the dashboard: the operator (every database) or the holder of one database's
 * token. Kept in the session, hence serializable; it never holds the token itself.
 */
record DashboardUser(String databaseId) implements Serializable {

	static final DashboardUser OPERATOR = new DashboardUser(null);

	public boolean isOperator() {
		return this.databaseId == null;
	}

	boolean mayAccess(String database) {
		return isOperator() || this.databaseId.equals(database);
	}

	/** The same 404 as for a database that does not exist: a page never tells that another one exists. */
	void requireAccess(String database) {
		if (!mayAccess(database)) {
			throw new DatabaseNotFound(database);
		}
	}

	public String displayName() {
		return isOperator() ? "operator token" : "token of " + this.databaseId;
	}

}
