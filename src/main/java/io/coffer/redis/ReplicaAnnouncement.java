package io.coffer.redis;

import java.util.List;
import java.util.Locale;

/**
 * How Coffer's own replication connections (the point-in-time archiver, a {@code stream} backup) introduce
 * themselves to a node: {@code REPLCONF listening-port 0} and {@code REPLCONF ip-address <name>.invalid}.
 * <p>
 * A node lists every replica connection in {@code INFO replication} ({@code slave0:ip=…,port=…}) under the address
 * it announced, and sentinels add what a primary lists there to their replicas, as candidates to promote.
 * Without an announcement the connection shows as {@code 127.0.0.1:0}: sentinels add it, fail to reach it and
 * list it flagged down. Under a name in the reserved {@code .invalid} domain (RFC 2606), which never resolves,
 * sentinels do not add it at all (they log that they cannot resolve it), so they never try to promote it; the
 * node still shows it, under a name that says whose it is. Node selection skips such replicas
 * ({@link #isCoffers}) wherever they are listed.
 */
public final class ReplicaAnnouncement {

	/** The name the point-in-time archiver's connection is listed under. */
	public static final String ARCHIVER = "coffer-pitr.invalid";

	/** The name a {@code stream} backup's connection is listed under while it receives the dump. */
	public static final String BACKUP = "coffer-backup.invalid";

	private static final String RESERVED_DOMAIN = ".invalid";

	private ReplicaAnnouncement() {
	}

	/**
	 * The requests to send before {@code PSYNC}, each answered {@code +OK}; a server that refuses one (an
	 * old one) lists the connection under its peer address, which costs nothing else.
	 */
	public static List<String[]> requests(String name) {
		return List.of(new String[] { "REPLCONF", "listening-port", "0" },
				new String[] { "REPLCONF", "ip-address", name });
	}

	/**
	 * Whether a listed replica is a connection of Coffer (or another client that did not announce a port) rather
	 * than a node: no port to reach it on, or a name that never resolves.
	 */
	public static boolean isCoffers(String host, int port) {
		return port == 0 || (host != null && host.toLowerCase(Locale.ROOT).endsWith(RESERVED_DOMAIN));
	}

}
