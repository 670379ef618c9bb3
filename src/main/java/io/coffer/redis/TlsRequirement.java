package io.coffer.redis;

/**
 * Whether a database's nodes accept TLS connections only, as the last finished change left it: asked
 * before any connection to them. {@code tls/} records it and implements this.
 */
public interface TlsRequirement {

	/** Whether the database's nodes accept TLS connections only. */
	boolean forced(String databaseId);

}
