package io.coffer.tls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.coffer.catalog.Database;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.node.DatabaseLocks;
import io.coffer.node.DatabaseNodes;
import io.coffer.node.NodeConfigFiles;
import io.coffer.node.NodeDrivers;
import io.coffer.node.NodeSetup;
import io.coffer.node.NodeTls;
import io.coffer.node.ProcessNodeDriver;
import io.coffer.node.ProvisioningProperties;
import io.coffer.node.TlsNodeDriver;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

import org.springframework.stereotype.Component;

/**
 * Forces TLS on the nodes of a provisioned database, or turns it off. Each node keeps its port number,
 * which speaks TLS only once forced, so that REDIS_URL only changes its scheme:
 * <ul>
 * <li>data nodes change while they run ({@code CONFIG SET}: the certificate files, then {@code port 0},
 * then {@code tls-port} on the number just freed), and keep it ({@code CONFIG REWRITE});
 * the connections made before the switch (apps', replicas' links to their primary) are closed once the
 * sentinels and HAProxy are switched too, so that nothing goes on in the old way: their clients connect
 * again, replicas with TLS ({@code tls-replication}) and a partial resynchronisation;</li>
 * <li>sentinels cannot change these while they run: each is restarted, one at a time, keeping what it
 * learned;</li>
 * <li>HAProxy passes the clients' TLS through, and checks the nodes over TLS: its configuration is
 * written again and it is restarted.</li>
 * </ul>
 * Clients connected at that moment are disconnected once (the platform restarts the app with its new
 * REDIS_URL anyway). Only nodes Coffer runs can be given certificates: what is done to each (its TLS files,
 * the folder its settings name them in, its restart) is asked of the driver that runs it, a
 * {@link TlsNodeDriver} (processes or containers).
 */
@Component
public class TlsSwitch {

	private static final Logger log = LoggerFactory.getLogger(TlsSwitch.class);

	private final DatabaseNodes nodes;

	private final NodeDrivers drivers;

	private final ProvisioningRepository repository;

	private final DatabaseLocks locks;

	private final DatabaseTls tls;

	private final RedisConnections redis;

	// a TLS client reaching a plain-text node waits for an answer that never comes: probes give up quickly
	private final RedisConnections probe;

	private final ProvisioningProperties settings;

	TlsSwitch(DatabaseNodes nodes, NodeDrivers drivers, ProvisioningRepository repository, DatabaseLocks locks,
			DatabaseTls tls, RedisConnections redis, ProvisioningProperties settings, CertificateAuthority authority) {
		this.probe = new RedisConnections(Duration.ofSeconds(1), Duration.ofSeconds(2), authority::clientSocketFactory);
		this.nodes = nodes;
		this.drivers = drivers;
		this.repository = repository;
		this.locks = locks;
		this.tls = tls;
		this.redis = redis;
		this.settings = settings;
	}

	/**
	 * Why Coffer does not manage TLS on the database at all, as a sentence; empty when it does. Read from the
	 * catalogue alone: pages and the CA download ask it without reaching any node.
	 */
	public Optional<String> refusal(Database database) {
		if (!"provisioned".equals(database.kind())) {
			return Optional.of(database.id() + " is a registered database: Coffer does not run its nodes and cannot "
					+ "give them certificates; configure TLS on them directly");
		}
		List<ManagedNode> all = this.nodes.all(database.id());
		if (all.isEmpty()) {
			return Optional.of(database.id() + " has no nodes");
		}
		if (all.stream().anyMatch((node) -> !(this.drivers.of(node) instanceof TlsNodeDriver))) {
			return Optional.of("the nodes of " + database.id() + " belong to the static pool, whose configuration "
					+ "files Coffer does not own: TLS can only be forced on nodes Coffer runs (the process and docker "
					+ "drivers)");
		}
		return Optional.empty();
	}

	/**
	 * Why {@code {"force_tls": force}} cannot be applied: {@link #refusal(Database)}, and, to force it where it
	 * is not yet, a Redis built without TLS support (asked of the nodes).
	 */
	public Optional<String> refusal(Database database, boolean force) {
		return refusal(database).or(() -> (force && !this.tls.forced(database.id()))
				? withoutTlsSupport(database.id()) : Optional.empty());
	}

	/**
	 * A data node whose Redis was built without TLS (or whose engine has none) knows no {@code tls-port}
	 * setting: forcing TLS would fail on its first {@code CONFIG SET}. A node that does not answer is not
	 * judged here; the change then fails saying which node it could not reach.
	 */
	private Optional<String> withoutTlsSupport(String databaseId) {
		String password = this.nodes.requirePassword(databaseId);
		for (ManagedNode node : this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS)) {
			Map<String, String> tlsPort;
			try {
				tlsPort = this.probe.call(new RedisEndpoint(node.host(), node.port(), password),
						(jedis) -> jedis.configGet("tls-port"));
			}
			catch (RuntimeException ex) {
				continue;
			}
			if (!tlsPort.containsKey("tls-port")) {
				return Optional.of("the Redis server of " + databaseId + " (" + node.name() + " at " + node.address()
						+ ") was built without TLS support: TLS cannot be forced on it");
			}
		}
		return Optional.empty();
	}

	/** The setup, with the database's TLS when it is forced: a node started later serves TLS like the others. */
	public NodeSetup withDatabaseTls(String databaseId, NodeSetup setup) {
		return this.tls.forced(databaseId) ? setup.withTls(material(databaseId)) : setup;
	}

	/**
	 * Forces TLS on every node of the database, or turns it off, then records it: from then on REDIS_URL
	 * is {@code rediss://} (or {@code redis://} again) and Coffer connects accordingly. Doing it twice
	 * does no harm, so a change that failed midway can be asked again.
	 * @return whether the recorded value changed, i.e. REDIS_URL has a new scheme the app must be told
	 */
	public boolean apply(String databaseId, boolean force) {
		return this.locks.withLock(databaseId, () -> {
			String password = this.nodes.requirePassword(databaseId);
			NodeTls material = force ? material(databaseId) : null;
			List<ManagedNode> dataNodes = this.nodes.ofKind(databaseId, ManagedNode.DriverData.REDIS);
			Map<ManagedNode, Long> firstNewConnection = new LinkedHashMap<>();
			for (ManagedNode node : dataNodes) {
				if (material != null) {
					driver(node).writeTlsFiles(node, material);
				}
				switchListening(node, password, force);
				firstNewConnection.put(node, this.redis.call(endpoint(node, password, force), Jedis::clientId));
			}
			for (ManagedNode sentinel : this.nodes.ofKind(databaseId, ManagedNode.DriverData.SENTINEL)) {
				if (material != null) {
					driver(sentinel).writeTlsFiles(sentinel, material);
				}
				this.repository.updateNode(driver(sentinel).restartSentinel(sentinel, force));
				log.info("{} restarted with TLS {}", ProcessNodeDriver.describe(sentinel), force ? "forced" : "off");
			}
			for (ManagedNode proxy : this.nodes.ofKind(databaseId, ManagedNode.DriverData.HAPROXY)) {
				TlsNodeDriver driver = driver(proxy);
				driver.stop(proxy, null);
				ManagedNode started = driver.start(proxy,
						new NodeSetup.Haproxy(dataNodes, password, this.settings.haproxyCheckInterval(), material));
				this.repository.updateNode(started);
				awaitRouting(started, password, force);
				log.info("{} restarted with TLS {}", ProcessNodeDriver.describe(proxy), force ? "forced" : "off");
			}
			boolean changed = this.tls.recordForced(databaseId, force);
			// once recorded, so that Coffer's own clients (the archiver) connect again the new way
			firstNewConnection.forEach((node, first) -> dropConnectionsMadeBefore(node, password, force, first));
			return changed;
		});
	}

	/**
	 * What is not as it should be on the database's nodes, each as a sentence: every node, sentinels and
	 * HAProxy included, must answer in the expected way only (TLS verified against the authority, or
	 * plain text).
	 */
	public List<String> check(String databaseId, boolean force) {
		String password = this.nodes.requirePassword(databaseId);
		List<String> problems = new ArrayList<>();
		for (ManagedNode node : this.nodes.all(databaseId)) {
			String secret = ManagedNode.DriverData.SENTINEL.equals(node.kind()) ? null : password;
			RedisEndpoint expected = new RedisEndpoint(node.host(), node.port(), secret, force);
			try {
				this.redis.call(expected, Jedis::ping);
			}
			catch (RuntimeException ex) {
				problems.add(node.name() + " (" + node.address() + ") does not answer with" + (force ? " TLS" : "out TLS")
						+ ": " + ex.getMessage());
				continue;
			}
			try {
				this.probe.call(expected.withTls(!force), Jedis::ping);
				problems.add(node.name() + " (" + node.address() + ") still answers " + (force ? "in plain text" : "with TLS"));
			}
			catch (RuntimeException ex) {
				// refused, as it should be
			}
		}
		return problems;
	}

	private void switchListening(ManagedNode node, String password, boolean force) {
		Map<String, String> target = settings(node, force);
		RedisEndpoint before = new RedisEndpoint(node.host(), node.port(), password, !force);
		// the node may already be switched, by an earlier attempt of this change
		RedisEndpoint now = this.probe.answering(before).orElse(before);
		this.redis.call(now, (jedis) -> {
			String port = target.remove("port");
			String tlsPort = target.remove("tls-port");
			if (force) {
				// the certificate first: the TLS listener needs it; then the number moves from one listener to the other
				target.forEach((name, value) -> set(jedis, name, value));
				set(jedis, "port", port);
				set(jedis, "tls-port", tlsPort);
			}
			else {
				set(jedis, "tls-port", tlsPort);
				set(jedis, "port", port);
				target.forEach((name, value) -> set(jedis, name, value));
			}
			// the node's configuration file keeps it across restarts
			String configFile = RedisInfo.fields(jedis.info("server")).get("config_file");
			if (configFile != null && !configFile.isBlank()) {
				jedis.configRewrite();
			}
			return null;
		});
		log.info("{} now listens with TLS {}", ProcessNodeDriver.describe(node), force ? "forced" : "off");
	}

	/**
	 * Connections made before the switch survive it, in the old way: an app's, a replica's link to its primary,
	 * Coffer's archiver, all of them carrying data in plain text after TLS was forced. Each one older than the
	 * first connection made after the switch ({@code CLIENT ID}s only grow) is closed; its client connects again
	 * the new way, a replica with {@code tls-replication} and a partial resynchronisation. The sentinels' and
	 * HAProxy's were closed by their restarts, which come first so that the sentinels never lose the nodes.
	 */
	private void dropConnectionsMadeBefore(ManagedNode node, String password, boolean force, long firstNew) {
		try {
			int dropped = this.redis.call(endpoint(node, password, force), (jedis) -> {
				int count = 0;
				for (ClientType type : List.of(ClientType.NORMAL, ClientType.PUBSUB, ClientType.REPLICA)) {
					for (long id : RedisInfo.clientIds(jedis.clientList(type))) {
						if (id < firstNew) {
							count += (int) jedis.clientKill(ClientKillParams.clientKillParams().id(String.valueOf(id)));
						}
					}
				}
				return count;
			});
			log.info("{}: {} connections made before TLS was {} closed", ProcessNodeDriver.describe(node), dropped,
					force ? "forced" : "turned off");
		}
		catch (RuntimeException ex) {
			// the switch itself is done; what is left open closes when its client reconnects, and asking again drops it
			log.warn("{}: the connections made before TLS was {} could not be closed: {}",
					ProcessNodeDriver.describe(node), force ? "forced" : "turned off", ex.getMessage());
		}
	}

	private static RedisEndpoint endpoint(ManagedNode node, String password, boolean tls) {
		return new RedisEndpoint(node.host(), node.port(), password, tls);
	}

	/** One parameter at a time, so that a failure names the one Redis refused. */
	private static void set(Jedis jedis, String name, String value) {
		try {
			jedis.configSet(name, value);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("Redis refused " + name + " \"" + value + "\": " + ex.getMessage(), ex);
		}
	}

	/** HAProxy accepts clients at once, but routes them only once its checks found the primary. */
	private void awaitRouting(ManagedNode proxy, String password, boolean force) {
		RedisEndpoint endpoint = new RedisEndpoint(proxy.host(), proxy.port(), password, force);
		long deadline = System.nanoTime() + this.settings.startTimeout().toNanos();
		while (!this.probe.answers(endpoint)) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(ProcessNodeDriver.describe(proxy) + " does not reach the primary with"
						+ (force ? " TLS" : "out TLS") + " after " + this.settings.startTimeout().toSeconds() + " s");
			}
			ProcessNodeDriver.pause(Duration.ofMillis(100));
		}
	}

	/** The driver that runs the node; {@link #refusal(Database)} has made sure it can give it TLS. */
	private TlsNodeDriver driver(ManagedNode node) {
		return (TlsNodeDriver) this.drivers.of(node);
	}

	/** The listening settings, naming the TLS files where the node's program sees its folder. */
	private Map<String, String> settings(ManagedNode node, boolean force) {
		Map<String, String> settings = new LinkedHashMap<>();
		for (String line : NodeConfigFiles.listening(node.port(), driver(node).folderSeenByNode(node), force)) {
			int space = line.indexOf(' ');
			settings.put(line.substring(0, space), line.substring(space + 1));
		}
		return settings;
	}

	/** The database's certificate, named for every host its nodes listen on. */
	private NodeTls material(String databaseId) {
		Set<String> hosts = new LinkedHashSet<>();
		this.nodes.all(databaseId).forEach((node) -> hosts.add(node.host()));
		hosts.add(this.settings.host());
		return this.tls.material(databaseId, hosts);
	}

}
