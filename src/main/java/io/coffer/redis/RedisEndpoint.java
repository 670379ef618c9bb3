package io.coffer.redis;

import java.util.Objects;

/**
 * Where a Redis node (or a sentinel) listens, and who Coffer is there.
 *
 * @param host host name or address
 * @param port TCP port
 * @param password the {@code requirepass} password, or {@code null} when there is none
 * @param tls whether the node expects TLS (verified against Coffer's certificate authority)
 * @param user the ACL user the password belongs to, or {@code null} for {@code default}
 */
public record RedisEndpoint(String host, int port, String password, boolean tls, String user) {

	public RedisEndpoint {
		Objects.requireNonNull(host, "host");
		if (port <= 0 || port > 65535) {
			throw new IllegalArgumentException("invalid port " + port + " for Redis host " + host);
		}
	}

	public RedisEndpoint(String host, int port, String password, boolean tls) {
		this(host, port, password, tls, null);
	}

	public RedisEndpoint(String host, int port, String password) {
		this(host, port, password, false);
	}

	public RedisEndpoint(String host, int port) {
		this(host, port, null, false);
	}

	/** {@code host:port}, the way errors and reasons name the node. */
	public String address() {
		return this.host + ":" + this.port;
	}

	public RedisEndpoint withPassword(String password) {
		return new RedisEndpoint(this.host, this.port, password, this.tls, this.user);
	}

	public RedisEndpoint withTls(boolean tls) {
		return new RedisEndpoint(this.host, this.port, this.password, tls, this.user);
	}

	/** The same node, reached as {@code user} (e.g. the database's own user, the way its app connects). */
	public RedisEndpoint withUser(String user) {
		return new RedisEndpoint(this.host, this.port, this.password, this.tls, user);
	}

	/** Another node of the same database: the same password, TLS and user, at {@code host:port}. */
	public RedisEndpoint at(String host, int port) {
		return new RedisEndpoint(host, port, this.password, this.tls, this.user);
	}

	/** Same node, regardless of password. */
	public boolean sameAddress(RedisEndpoint other) {
		return this.port == other.port && this.host.equalsIgnoreCase(other.host);
	}

	@Override
	public String toString() {
		// never print the password: endpoints end up in logs and error messages
		return address() + (this.tls ? " (tls)" : "");
	}

}
