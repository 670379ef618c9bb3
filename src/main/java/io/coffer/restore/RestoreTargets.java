package io.coffer.restore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.coffer.backup.RedisAccessException;
import io.coffer.backup.RedisConnections;
import io.coffer.backup.RedisEndpoint;
import io.coffer.backup.RedisInfo;
import io.coffer.backup.SentinelSet;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.crypto.Keyring;
import redis.clients.jedis.Jedis;

import org.springframework.stereotype.Component;

/**
 * Finds the node a restore loads into: the database's primary as it is now (roles in the catalogue
 * may be stale after a failover), from its sentinels when it has some, else from each node's
 * {@code INFO replication}. A restore always loads the primary; replicas follow it by themselves.
 */
@Component
class RestoreTargets {

	private final DatabaseRepository databases;

	private final RedisConnections redis;

	private final Keyring keyring;

	RestoreTargets(DatabaseRepository databases, RedisConnections redis, Keyring keyring) {
		this.databases = databases;
		this.redis = redis;
		this.keyring = keyring;
	}

	Database database(String databaseId) {
		return this.databases.findLive(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " no longer exists"));
	}

	/** The primary of the database, with its password. */
	RedisEndpoint primary(Database database) {
		String password = password(database);
		SentinelSet sentinels = sentinels(database);
		List<String> failures = new ArrayList<>();
		if (sentinels != null) {
			for (RedisEndpoint sentinel : sentinels.sentinels()) {
				try (Jedis jedis = this.redis.open(sentinel)) {
					List<String> address = jedis.sentinelGetMasterAddrByName(sentinels.masterName());
					if (address != null && address.size() == 2) {
						return new RedisEndpoint(address.get(0), Integer.parseInt(address.get(1)), password);
					}
					failures.add("sentinel " + sentinel.address() + " does not know " + sentinels.masterName());
				}
				catch (RuntimeException ex) {
					failures.add(RedisConnections.describe(sentinel, ex).getMessage());
				}
			}
			throw new RedisAccessException(RedisAccessException.NO_PRIMARY,
					"no sentinel named the primary of " + database.id() + ": " + String.join("; ", failures));
		}
		for (var node : database.redisNodes()) {
			RedisEndpoint endpoint = new RedisEndpoint(node.host(), node.port(), password);
			try {
				String role = this.redis.call(endpoint, (jedis) -> RedisInfo.fields(jedis.info("replication")))
					.get("role");
				if ("master".equals(role)) {
					return endpoint;
				}
			}
			catch (RedisAccessException ex) {
				failures.add(ex.getMessage());
			}
		}
		throw new RedisAccessException(RedisAccessException.NO_PRIMARY, "no node of " + database.id()
				+ " is a primary" + (failures.isEmpty() ? "" : ": " + String.join("; ", failures)));
	}

	/** The database's sentinels, or null when it has none. */
	SentinelSet sentinels(Database database) {
		if (database.sentinels().isEmpty()) {
			return null;
		}
		return new SentinelSet(database.sentinels()
			.stream()
			.map((node) -> new RedisEndpoint(node.host(), node.port(), null))
			.toList(), database.sentinelMaster());
	}

	String password(Database database) {
		return this.databases.findSecret(database.id(), DatabaseRepository.REDIS_PASSWORD).map((sealed) -> {
			try {
				return this.keyring.openText(sealed);
			}
			catch (IOException ex) {
				throw new IllegalStateException("the stored Redis password of " + database.id()
						+ " cannot be decrypted with this keyring: " + ex.getMessage(), ex);
			}
		}).orElse(null);
	}

}
