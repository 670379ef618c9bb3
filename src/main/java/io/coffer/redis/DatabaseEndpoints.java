package io.coffer.redis;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.crypto.Keyring;

import org.springframework.stereotype.Component;

/**
 * How to reach a database's Redis: its nodes with the password unsealed from the catalogue (and TLS
 * when it is forced), its sentinels, and (asked of them, never taken from the catalogue's roles) its
 * primary right now.
 */
@Component
public class DatabaseEndpoints {

	private final DatabaseRepository databases;

	private final Keyring keyring;

	private final NodeSelector nodeSelector;

	private final TlsRequirement tls;

	DatabaseEndpoints(DatabaseRepository databases, Keyring keyring, NodeSelector nodeSelector, TlsRequirement tls) {
		this.databases = databases;
		this.keyring = keyring;
		this.nodeSelector = nodeSelector;
		this.tls = tls;
	}

	/** Whether the database's nodes, sentinels included, accept TLS connections only. */
	public boolean tls(Database database) {
		return this.tls.forced(database.id());
	}

	/** A data node of the database as the catalogue lists it, with the password and TLS. */
	public RedisEndpoint node(Database database, String host, int port) {
		return new RedisEndpoint(host, port, password(database), tls(database));
	}

	/** The Redis password, or null when the database has none. */
	public String password(Database database) {
		return password(database.id()).orElse(null);
	}

	/** The Redis password unsealed from the catalogue, if the database has one. */
	public Optional<String> password(String databaseId) {
		return this.databases.findSecret(databaseId, DatabaseRepository.REDIS_PASSWORD).map((sealed) -> {
			try {
				return this.keyring.openText(sealed);
			}
			catch (IOException ex) {
				throw new IllegalStateException("the stored Redis password of " + databaseId
						+ " cannot be decrypted with this keyring: " + ex.getMessage(), ex);
			}
		});
	}

	/** The data nodes the catalogue lists, with the password. */
	public List<RedisEndpoint> nodes(Database database) {
		String password = password(database);
		boolean tls = tls(database);
		return database.redisNodes()
			.stream()
			.map((node) -> new RedisEndpoint(node.host(), node.port(), password, tls))
			.toList();
	}

	/** The database's sentinels, or null when it has none. */
	public SentinelSet sentinels(Database database) {
		if (database.sentinels().isEmpty()) {
			return null;
		}
		boolean tls = tls(database);
		return new SentinelSet(database.sentinels()
			.stream()
			.map((node) -> new RedisEndpoint(node.host(), node.port(), null, tls))
			.toList(), database.sentinelMaster());
	}

	/** The node to back up: a healthy replica when there is one, else the primary, and why. */
	public SelectedNode nodeToBackUp(Database database) {
		return this.nodeSelector.select(nodes(database), sentinels(database));
	}

	/** The primary as the sentinels or the nodes tell it now, with the password. */
	public RedisEndpoint primary(Database database) {
		return this.nodeSelector.primary(nodes(database), sentinels(database));
	}

}
