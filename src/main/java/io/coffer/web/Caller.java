package io.coffer.web;

import io.coffer.catalog.DatabaseNotFound;

import org.springframework.http.HttpStatus;

/**
 * Who is calling: the operator (any database) or the owner of one database's token. A caller that
 * may not see a database gets the same 404 as for a database that does not exist.
 */
record Caller(String databaseId) {

	static final Caller OPERATOR = new Caller(null);

	static final String ATTRIBUTE = Caller.class.getName();

	boolean isOperator() {
		return this.databaseId == null;
	}

	boolean mayAccess(String database) {
		return isOperator() || this.databaseId.equals(database);
	}

	void requireAccess(String database) {
		if (!mayAccess(database)) {
			throw new DatabaseNotFound(database);
		}
	}

	void requireOperator() {
		if (!isOperator()) {
			throw new ApiException(HttpStatus.FORBIDDEN, "operator_only",
					"only the operator token may do this");
		}
	}

}
