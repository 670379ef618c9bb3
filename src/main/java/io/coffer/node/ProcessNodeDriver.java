// Longer than 400 lines because one class holds a process node's whole life (launch, adoption by pid and
// configuration file, stop with or without its data, TLS restarts, the restarts of an engine upgrade).
package io.coffer.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.TlsTrust;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.system.ServiceProperties;
import io.coffer.system.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.SaveMode;
import redis.clients.jedis.exceptions.JedisDataException;

import org.springframework.stereotype.Component;

/**
 * Runs each node as a process of this machine: {@code redis-server} for data nodes, {@code redis-server
 * --sentinel} for sentinels, {@code haproxy} for entry points, each in
 * {@code <data-dir>/nodes/<database>/<node>/} with the configuration file {@link NodeFolders} writes there.
 * <p>
 * The processes outlive Coffer: on start-up, the {@link NodeSupervisor} finds each one again by the
 * pid recorded in the catalogue, and a node is only taken for running when the process on its port
 * says it runs from the node's own configuration file, so a reused pid or port is never mistaken for it.
 */
@Component
public class ProcessNodeDriver implements TlsNodeDriver, DataNodeRestarts {

	public static final String NAME = "process";

	private static final Logger log = LoggerFactory.getLogger(ProcessNodeDriver.class);

	private static final int START_ATTEMPTS = 3;

	private final ProvisioningProperties settings;

	private final NodeFolders folders;

	private final PortAllocator ports;

	private final ServerPrograms engines;

	private final RedisConnections probe;

	private final RedisConnections saving;

	ProcessNodeDriver(ServiceProperties service, ProvisioningProperties settings, ProvisioningRepository repository,
			ServerPrograms engines, TlsTrust authority) {
		// short timeouts: these connections only ask a local process whether it is up
		this.probe = new RedisConnections(Duration.ofSeconds(1), Duration.ofSeconds(3), authority::clientSocketFactory);
		// SHUTDOWN SAVE answers once the whole dataset is on disk
		this.saving = new RedisConnections(Duration.ofSeconds(1), Duration.ofMinutes(30), authority::clientSocketFactory);
		this.settings = settings;
		this.engines = engines;
		this.folders = new NodeFolders(service.dataDir().toAbsolutePath().normalize().resolve("nodes"));
		this.ports = new PortAllocator(this.settings.host(), this.settings.firstPort(),
				this.settings.lastPort(), () -> repository.portsInUse(this.settings.host()));
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public Optional<String> refusal(Plan plan) {
		if (plan.haproxy() > 0 && !onPath(this.settings.haproxy())) {
			return Optional.of("plan " + plan.name() + " needs HAProxy, and '" + this.settings.haproxy()
					+ "' is not installed here: install it (apt-get install haproxy) or set coffer.provisioning.haproxy");
		}
		if (!onPath(this.settings.redisServer())) {
			return Optional.of("'" + this.settings.redisServer() + "' is not installed here: install redis-server "
					+ "or set coffer.provisioning.redis-server");
		}
		return Optional.empty();
	}

	@Override
	public Reservation reserve(String databaseId, String name, String kind) {
		Path dir = this.folders.dir(databaseId, name);
		// the process driver chooses the engine of what it runs; a static pool runs whatever it runs
		this.engines.chooseFor(databaseId);
		return new Reservation(this.settings.host(), this.ports.allocate(),
				new ManagedNode.DriverData(NAME, name, kind, dir.toString(), null));
	}

	@Override
	public ManagedNode start(ManagedNode node, NodeSetup setup) {
		Path dir = Path.of(node.driverData().dir());
		ManagedNode current = node;
		for (int attempt = 1;; attempt++) {
			this.folders.writeConfig(current, setup, dir);
			Process process = launch(current, List.of());
			try {
				awaitReady(current, process, password(setup));
				return current.with(current.port(), current.driverData().withPid(process.pid()));
			}
			catch (NodeStartException ex) {
				NodeProcesses.stop(process.toHandle());
				// another program took the port between its reservation and now: take another one
				if (!ex.addressInUse || attempt == START_ATTEMPTS) {
					throw ex;
				}
				log.info("Port {} of {} was taken meanwhile; trying another", current.port(), describe(current));
				this.ports.release(current.port());
				current = current.with(this.ports.allocate(), current.driverData());
			}
		}
	}

	/**
	 * Starts a node again from the configuration it has (which Redis and its sentinels may have
	 * rewritten since), with extra command-line settings such as {@code --replicaof host port}.
	 */
	@Override
	public ManagedNode restart(ManagedNode node, String password, List<String> extraArguments) {
		Process process = launch(node, extraArguments);
		try {
			awaitReady(node, process, password);
		}
		catch (NodeStartException ex) {
			NodeProcesses.stop(process.toHandle());
			throw ex;
		}
		return node.with(node.port(), node.driverData().withPid(process.pid()));
	}

	/**
	 * The pid of the process that serves this node right now: the one listening on its port and running
	 * from its configuration file. Empty when nothing, or something else, answers there.
	 */
	public OptionalLong runningPid(ManagedNode node, String password) {
		if (ManagedNode.DriverData.HAPROXY.equals(node.kind())) {
			// HAProxy cannot be asked who it is: its recorded process must be alive, be this node's, and accept connections
			return (processAlive(node) && accepts(node)) ? OptionalLong.of(node.driverData().pid()) : OptionalLong.empty();
		}
		Optional<Map<String, String>> server = probe(node, password, (jedis) -> RedisInfo.fields(jedis.info("server")));
		if (server.isEmpty()) {
			return OptionalLong.empty();
		}
		String configFile = server.get().get("config_file");
		if (configFile != null && Path.of(configFile).normalize().equals(this.folders.configFile(node))) {
			return OptionalLong.of(Long.parseLong(server.get().get("process_id")));
		}
		return OptionalLong.empty();
	}

	/**
	 * Whether the node's recorded process is alive and is this node's server: its command line (which redis-server
	 * rewrites to {@code redis-server host:port}) names its port or its configuration file. A node that does not
	 * answer may still run: busy, or its connections just killed (a sentinel's failover ends with
	 * {@code CLIENT KILL TYPE normal} on the node it promotes).
	 */
	public boolean processAlive(ManagedNode node) {
		Long pid = node.driverData().pid();
		if (pid == null) {
			return false;
		}
		String configFile = this.folders.configFile(node).toString();
		return ProcessHandle.of(pid)
			.filter(ProcessHandle::isAlive)
			.flatMap(ProcessNodeDriver::commandLine)
			.filter((line) -> line.contains(configFile) || line.contains(":" + node.port()))
			.isPresent();
	}

	/**
	 * The process's command line as {@code /proc} shows it now: redis-server rewrites its own, which Java's
	 * {@code ProcessHandle.Info} does not show (it answers the executable and no arguments then).
	 */
	private static Optional<String> commandLine(ProcessHandle handle) {
		try {
			return Optional.of(Files.readString(Path.of("/proc", String.valueOf(handle.pid()), "cmdline"))
				.replace('\0', ' '));
		}
		catch (IOException | RuntimeException ex) {
			return handle.info().commandLine();
		}
	}

	@Override
	public boolean serves(ManagedNode node, String password) {
		return runningPid(node, password).isPresent();
	}

	/**
	 * Asks a Redis node or sentinel, in plain text or else with TLS: whichever it speaks now (while TLS
	 * is being forced or turned off, the catalogue may not say it yet). Empty when neither answers.
	 */
	private <T> Optional<T> probe(ManagedNode node, String password, Function<Jedis, T> question) {
		String secret = ManagedNode.DriverData.REDIS.equals(node.kind()) ? password : null;
		try {
			return this.probe.answering(new RedisEndpoint(node.host(), node.port(), secret))
				.map((endpoint) -> this.probe.call(endpoint, question));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	/**
	 * A connection of {@code connections} in plain text, or else with TLS: whichever the node speaks now,
	 * as {@code probe} finds.
	 */
	static Jedis openEitherWay(RedisConnections probe, RedisConnections connections, ManagedNode node,
			String password) {
		RedisEndpoint plain = new RedisEndpoint(node.host(), node.port(), password);
		return connections.open(probe.answering(plain).orElse(plain));
	}

	@Override
	public void remove(ManagedNode node, String password) {
		// a process started but not yet recorded (provisioning failed right then) still runs from our config
		OptionalLong serving = runningPid(node, password);
		if (serving.isPresent() && ManagedNode.DriverData.REDIS.equals(node.kind())) {
			// its data is about to be deleted: writing it to disk first (what SIGTERM does) is wasted time
			shutdownWithoutSaving(node, password);
		}
		Long pid = node.driverData().pid();
		if (pid != null) {
			ProcessHandle.of(pid).filter((handle) -> NodeProcesses.isOurs(handle, node)).ifPresent(NodeProcesses::stop);
		}
		if (serving.isPresent()) {
			ProcessHandle.of(serving.getAsLong()).ifPresent(NodeProcesses::stop);
		}
		this.folders.remove(node);
		this.ports.release(node.port());
	}

	private void shutdownWithoutSaving(ManagedNode node, String password) {
		// the connection closes as Redis exits; if it did not exit, the signals that follow see to it
		probe(node, password, (jedis) -> {
			jedis.shutdown(SaveMode.NOSAVE);
			return null;
		});
	}

	/**
	 * Stops the process serving the node, as SIGTERM does: a data node writes its dump first (when it
	 * saves at all), a sentinel its state. Its folder and port stay, to start it again.
	 */
	@Override
	public void stop(ManagedNode node, String password) {
		OptionalLong serving = runningPid(node, password);
		Long pid = serving.isPresent() ? Long.valueOf(serving.getAsLong()) : node.driverData().pid();
		if (pid != null) {
			ProcessHandle.of(pid).filter((handle) -> NodeProcesses.isOurs(handle, node)).ifPresent(NodeProcesses::stop);
		}
	}

	@Override
	public void writeTlsFiles(ManagedNode node, NodeTls tls) {
		this.folders.writeTlsFiles(node, tls);
	}

	@Override
	public Path folderSeenByNode(ManagedNode node) {
		return Path.of(node.driverData().dir());
	}

	/** Makes the node's folder and every file in it readable by the owner only, as they hold its secrets. */
	void tighten(ManagedNode node) {
		this.folders.tighten(node);
	}

	@Override
	public ManagedNode restartSentinel(ManagedNode node, boolean tls) {
		stop(node, null);
		this.folders.appendListening(node, folderSeenByNode(node), tls);
		return restart(node, null, List.of());
	}

	/**
	 * Stops a data node once its data is on disk: {@code SHUTDOWN SAVE} writes the dump even when RDB
	 * save points are off, and a node that cannot write it refuses to stop and keeps serving.
	 * @throws IllegalStateException when the node is not running, could not save, or did not exit
	 */
	@Override
	public void stopSaving(ManagedNode node, String password) {
		OptionalLong pid = runningPid(node, password);
		if (pid.isEmpty()) {
			throw new IllegalStateException(describe(node) + " is not running");
		}
		try (Jedis jedis = openEitherWay(this.probe, this.saving, node, password)) {
			jedis.shutdown(SaveMode.SAVE);
		}
		catch (JedisDataException ex) {
			throw new IllegalStateException(describe(node) + " could not write its data to disk, so it keeps running: "
					+ ex.getMessage());
		}
		catch (RuntimeException ex) {
			// the connection closes as Redis exits after saving
		}
		ProcessHandle.of(pid.getAsLong()).ifPresent((process) -> {
			try {
				process.onExit().get(NodeProcesses.STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				throw new IllegalStateException(describe(node) + " did not exit within "
						+ NodeProcesses.STOP_TIMEOUT.toSeconds() + " s of SHUTDOWN SAVE", ex);
			}
		});
	}

	public static String describe(ManagedNode node) {
		return node.kind() + " " + node.name() + " of " + node.databaseId() + " (" + node.address() + ")";
	}

	private Process launch(ManagedNode node, List<String> extraArguments) {
		String config = this.folders.configFile(node).toString();
		List<String> command = new ArrayList<>();
		switch (node.kind()) {
			case ManagedNode.DriverData.SENTINEL -> command.addAll(List.of(this.settings.redisServer(), config, "--sentinel"));
			case ManagedNode.DriverData.HAPROXY -> command.addAll(List.of(this.settings.haproxy(), "-db", "-f", config));
			// data nodes run their database's engine version; sentinels stay on the installed redis-server
			default -> command.addAll(List.of(this.engines.redisServer(node.databaseId(), node.name()), config));
		}
		command.addAll(extraArguments);
		if (!onPath(command.get(0))) {
			throw new NodeStartException("cannot run " + command.get(0) + " for " + describe(node) + ": not found", false);
		}
		Path dir = Path.of(node.driverData().dir());
		try {
			// Redis gives the files it writes (CONFIG REWRITE of its configuration, a sentinel's state, the
			// dump) the mode its umask allows: the owner's alone, as the file holds the password. exec keeps
			// the pid, so the process started is the node's.
			List<String> privately = new ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\""));
			privately.addAll(command);
			// Redis quotes a configuration line it cannot read, password included, on its console
			Path console = dir.resolve("console.log");
			PrivateFiles.createNew(console, "");
			return new ProcessBuilder(privately).directory(dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new NodeStartException("cannot run " + command.get(0) + " for " + describe(node) + ": "
					+ ex.getMessage(), false);
		}
	}

	private void awaitReady(ManagedNode node, Process process, String password) {
		long deadline = System.nanoTime() + this.settings.startTimeout().toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				String tail = this.folders.logTail(node);
				throw new NodeStartException(describe(node) + " exited with status " + process.exitValue()
						+ " as it started: " + tail, tail.contains("Address already in use") || tail.contains("cannot bind"));
			}
			if (answers(node, password)) {
				return;
			}
			pause(Duration.ofMillis(50));
		}
		throw new NodeStartException(describe(node) + " did not answer within "
				+ this.settings.startTimeout().toSeconds() + " s: " + this.folders.logTail(node), false);
	}

	private boolean answers(ManagedNode node, String password) {
		if (ManagedNode.DriverData.HAPROXY.equals(node.kind())) {
			return accepts(node);
		}
		// not listening yet, or still loading its data: not ready
		return probe(node, password, (jedis) -> Boolean.TRUE).isPresent();
	}

	private boolean accepts(ManagedNode node) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(node.host(), node.port()), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean onPath(String program) {
		return ServerPrograms.isInstalled(program);
	}

	private static String password(NodeSetup setup) {
		return (setup instanceof NodeSetup.Redis redis) ? redis.password() : null;
	}

	public static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for a node", ex);
		}
	}

	/** A node that did not come up; {@code addressInUse} when another program holds its port. */
	static final class NodeStartException extends RuntimeException {

		private final boolean addressInUse;

		NodeStartException(String message, boolean addressInUse) {
			super(message);
			this.addressInUse = addressInUse;
		}

		boolean addressInUse() {
			return this.addressInUse;
		}

	}

}
