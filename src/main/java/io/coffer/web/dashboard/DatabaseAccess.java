package io.coffer.web.dashboard;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;

import org.springframework.stereotype.Component;

/** The database a page is about, if the signed-in user may see it: else the same 404 as the API's. */
@Component
class DatabaseAccess {

	private final DatabaseRepository databases;

	DatabaseAccess(DatabaseRepository databases) {
		this.databases = databases;
	}

	Database find(DashboardUser user, String databaseId) {
		user.requireAccess(databaseId);
		return this.databases.findLive(databaseId).orElseThrow(() -> new DatabaseNotFound(databaseId));
	}

}
