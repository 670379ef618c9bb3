package io.coffer.restore;

import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.SentinelSet;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;

import org.springframework.stereotype.Component;

/**
 * Finds the node a restore loads into: the database's primary as it is now (roles in the catalogue
 * may be stale after a failover), from its sentinels when it has some, else from each node's
 * {@code INFO replication}. A restore always loads the primary; replicas follow it by themselves.
 */
@Component
class RestoreTargets {

	private final DatabaseRepository databases;

	private final DatabaseEndpoints endpoints;

	RestoreTargets(DatabaseRepository databases, DatabaseEndpoints endpoints) {
		this.databases = databases;
		this.endpoints = endpoints;
	}

	Database database(String databaseId) {
		return this.databases.findLive(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " no longer exists"));
	}

	/** The primary of the database, with its password. */
	RedisEndpoint primary(Database database) {
		return this.endpoints.primary(database);
	}

	/** The database's sentinels, or null when it has none. */
	SentinelSet sentinels(Database database) {
		return this.endpoints.sentinels(database);
	}

	String password(Database database) {
		return this.endpoints.password(database);
	}

	/** The node with the database's password, and TLS when it is forced. */
	RedisEndpoint credentials(Database database, RedisEndpoint node) {
		return node.withPassword(password(database)).withTls(this.endpoints.tls(database));
	}

}
