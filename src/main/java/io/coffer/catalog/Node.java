package io.coffer.catalog;

/** A Redis node or sentinel of a database, as the catalogue last knew it. Roles change on failover. */
public record Node(String role, String host, int port) {

	public static final String PRIMARY = "primary";

	public static final String REPLICA = "replica";

	public static final String SENTINEL = "sentinel";

	/** An HAProxy entry point of a provisioned business database: it holds no data. */
	public static final String HAPROXY = "haproxy";

	public String address() {
		return this.host + ":" + this.port;
	}

}
