package io.coffer.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.coffer.catalog.ManagedNode;

/**
 * The configuration files the process driver writes, one per node. The Redis baseline is the one the
 * platform documents: 5 databases, a 150 s idle timeout, the three RDB save points, no AOF, the plan's
 * memory without eviction.
 */
public final class NodeConfigFiles {

	static final String BASELINE_SAVE = "900 1 300 10 60 10000";

	public static final int BASELINE_DATABASES = 5;

	static final int BASELINE_TIMEOUT = 150;

	/** The node's folder for its TLS files: the authority's certificate, the database's certificate and key. */
	static final String TLS_DIR = "tls";

	static final String TLS_CA_FILE = "ca.crt";

	static final String TLS_CERT_FILE = "node.crt";

	static final String TLS_KEY_FILE = "node.key";

	private NodeConfigFiles() {
	}

	static String fileName(String kind) {
		return switch (kind) {
			case ManagedNode.DriverData.SENTINEL -> "sentinel.conf";
			case ManagedNode.DriverData.HAPROXY -> "haproxy.cfg";
			default -> "redis.conf";
		};
	}

	static String render(NodeSetup setup, String host, int port, Path dir) {
		if (setup instanceof NodeSetup.Redis redis) {
			return redis(redis, host, port, dir);
		}
		if (setup instanceof NodeSetup.Sentinel sentinel) {
			return sentinel(sentinel, host, port, dir);
		}
		return haproxy((NodeSetup.Haproxy) setup, host, port, dir);
	}

	/**
	 * The settings that make a Redis node or a sentinel listen on {@code port}: in plain text, or with
	 * TLS only (the same number, so that REDIS_URL only changes its scheme). With TLS it also reaches
	 * the nodes it replicates from or monitors with TLS, verifying them against the authority; clients
	 * need no certificate of their own.
	 */
	public static List<String> listening(int port, Path dir, boolean tls) {
		if (!tls) {
			return List.of("port " + port, "tls-port 0", "tls-replication no");
		}
		Path files = dir.resolve(TLS_DIR);
		return List.of("port 0", "tls-port " + port, "tls-cert-file " + files.resolve(TLS_CERT_FILE),
				"tls-key-file " + files.resolve(TLS_KEY_FILE), "tls-ca-cert-file " + files.resolve(TLS_CA_FILE),
				"tls-auth-clients no", "tls-replication yes");
	}

	private static List<String> listening(NodeSetup setup, int port, Path dir) {
		return (setup.tls() != null) ? listening(port, dir, true) : List.of("port " + port);
	}

	private static String redis(NodeSetup.Redis setup, String host, int port, Path dir) {
		List<String> lines = new ArrayList<>();
		lines.add("# Written by Coffer for database " + setup.databaseId() + "; Redis and its sentinels rewrite it.");
		lines.addAll(listening(setup, port, dir));
		lines.add("bind " + host);
		lines.add("daemonize no");
		lines.add("dir " + dir);
		lines.add("dbfilename dump.rdb");
		lines.add("appendfilename appendonly.aof");
		lines.add("logfile " + dir.resolve("redis.log"));
		lines.add("databases " + BASELINE_DATABASES);
		lines.add("timeout " + BASELINE_TIMEOUT);
		lines.add("save " + BASELINE_SAVE);
		lines.add("appendonly no");
		lines.add("maxmemory " + setup.memoryMb() + "mb");
		lines.add("maxmemory-policy noeviction");
		// the default user serves clients that send only a password; the user named after the
		// database serves those that send the user name of redis://<id>:<password>@...
		lines.add("user default on >" + setup.password() + " ~* &* +@all");
		lines.add("user " + setup.databaseId() + " on >" + setup.password() + " ~* &* +@all");
		// every data node may become a replica after a failover: each one needs the primary's password
		lines.add("masterauth " + setup.password());
		if (setup.replicaOf() != null) {
			lines.add("replicaof " + setup.replicaOf().host() + " " + setup.replicaOf().port());
		}
		return String.join("\n", lines) + "\n";
	}

	private static String sentinel(NodeSetup.Sentinel setup, String host, int port, Path dir) {
		String name = setup.masterName();
		List<String> lines = new ArrayList<>();
		lines.add("# Written by Coffer; the sentinel rewrites it with what it learns.");
		lines.addAll(listening(setup, port, dir));
		lines.add("bind " + host);
		lines.add("daemonize no");
		lines.add("dir " + dir);
		lines.add("logfile " + dir.resolve("sentinel.log"));
		lines.add("sentinel monitor " + name + " " + setup.primary().host() + " " + setup.primary().port() + " "
				+ NodeSetup.Sentinel.QUORUM);
		lines.add("sentinel auth-pass " + name + " " + setup.password());
		lines.add("sentinel down-after-milliseconds " + name + " " + setup.downAfter().toMillis());
		lines.add("sentinel failover-timeout " + name + " " + setup.failoverTimeout().toMillis());
		lines.add("sentinel parallel-syncs " + name + " 1");
		return String.join("\n", lines) + "\n";
	}

	private static String haproxy(NodeSetup.Haproxy setup, String host, int port, Path dir) {
		long inter = Math.max(100, setup.checkInterval().toMillis());
		StringBuilder config = new StringBuilder();
		config.append("""
				# Written by Coffer: routes Redis clients to whichever node is the primary right now, so that
				# REDIS_URL keeps working after a sentinel failover.
				global
				    maxconn 4096

				defaults
				    mode tcp
				    timeout connect 3s
				    timeout client 1h
				    timeout server 1h
				    # a loaded machine may take a while to answer a check: a slow answer is not a failure
				    timeout check 2s

				frontend redis
				    bind %1$s:%2$d
				    default_backend redis-primary

				backend redis-primary
				    # HAProxy takes every server for up until its checks fail: "first" sends every client to the
				    # first server still up, the primary at the start, never round-robin to a replica meanwhile
				    balance first
				    option tcp-check
				    tcp-check connect%4$s
				    tcp-check send AUTH\\ %3$s\\r\\n
				    tcp-check expect string +OK
				    tcp-check send PING\\r\\n
				    tcp-check expect string +PONG
				    # QUIT right behind INFO: a replica closes the connection without role:master, which fails
				    # the check at once instead of after "timeout check" waiting for more of its answer
				    tcp-check send info\\ replication\\r\\nQUIT\\r\\n
				    tcp-check expect string role:master
				""".formatted(host, port, setup.password(), (setup.tls() != null) ? " ssl" : ""));
		// with TLS, clients' connections pass through untouched (tcp mode): the nodes serve the certificate,
		// and the checks speak TLS to them, verifying them against the authority like any client
		String checkTls = (setup.tls() != null)
				? " check-ssl verify required ca-file " + dir.resolve(TLS_DIR).resolve(TLS_CA_FILE) : "";
		for (ManagedNode node : setup.dataNodes()) {
			// a demoted primary must not keep the clients it had: their writes would be refused
			config.append("    server %s %s:%d check%s inter %dms fall 2 rise 1 on-marked-down shutdown-sessions\n"
				.formatted(node.name(), node.host(), node.port(), checkTls, inter));
		}
		return config.toString();
	}

}
