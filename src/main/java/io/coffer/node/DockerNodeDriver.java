// Longer than 400 lines because one class holds a container's whole life on its engine (placement, start,
// finding it again, resize, stats, the replacement an engine upgrade makes, the sweep): each step reads the same names and labels.
package io.coffer.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.Statistics;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.node.docker.DockerEngine;
import io.coffer.node.docker.ServerImages;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.TlsTrust;
import io.coffer.system.ServiceProperties;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.SaveMode;
import redis.clients.jedis.exceptions.JedisDataException;

import org.springframework.stereotype.Component;

/**
 * Runs each node in a container of its own on a container engine ({@code coffer.provisioning.docker.host}, or
 * one of {@code hosts}, see {@link ContainerHosts}): a data node's image is {@code coffer/<engine>:<version>},
 * built from the server program the process driver would run, a sentinel's that of the installed redis-server
 * and an HAProxy's {@code coffer/haproxy:<version>}; a data node's memory limit is the plan's memory plus a
 * headroom ({@code maxmemory} inside stays the plan's), a sentinel's or HAProxy's a fixed one; the engine's
 * restart policy brings a node back when its program exits, so Coffer supervises nothing.
 * <p>
 * The node's folder, {@code <data-dir>/nodes/<database>/<node>/}, readable by its owner only, is bound to
 * {@code /node} inside: the configuration (which holds the password, never on the container's command line
 * or in its environment), the dump, the logs and, with TLS forced, the TLS files, which the configuration
 * names by their path inside ({@link #folderSeenByNode}). The container runs as the owner of that folder, on the
 * host's network, and listens on the node's address. Its labels (instance, database, node) let Coffer find
 * it again after a restart and sweep away those of databases it no longer has.
 */
@Component
public class DockerNodeDriver implements TlsNodeDriver, DataNodeRestarts {

	public static final String NAME = "docker";

	public static final String INSTANCE_LABEL = "io.coffer.instance";

	public static final String DATABASE_LABEL = "io.coffer.database";

	public static final String NODE_LABEL = "io.coffer.node";

	public static final String ROLE_LABEL = "io.coffer.role";

	public static final String MEMORY_LABEL = "io.coffer.memory-mb";

	/** Where the node's folder is inside its container. */
	static final Path CONTAINER_FOLDER = Path.of("/node");

	private static final Logger log = LoggerFactory.getLogger(DockerNodeDriver.class);

	private static final int START_ATTEMPTS = 3;

	private static final long MB = 1024L * 1024;

	private final ProvisioningProperties settings;

	private final DockerProperties docker;

	private final NodeFolders folders;

	private final ProvisioningRepository repository;

	private final Map<String, PortAllocator> ports = new ConcurrentHashMap<>();

	private final ContainerHosts hosts;

	private final ServerPrograms engines;

	private final ServerImages images = new ServerImages();

	private final RedisConnections probe;

	private final RedisConnections saving;

	DockerNodeDriver(ServiceProperties service, ProvisioningProperties settings, DockerProperties docker,
			ProvisioningRepository repository, ServerPrograms engines, TlsTrust authority) {
		this.settings = settings;
		this.docker = docker;
		this.engines = engines;
		this.probe = new RedisConnections(Duration.ofSeconds(1), Duration.ofSeconds(3), authority::clientSocketFactory);
		// SHUTDOWN SAVE answers once the whole dataset is on disk
		this.saving = new RedisConnections(Duration.ofSeconds(1), Duration.ofMinutes(30), authority::clientSocketFactory);
		this.folders = new NodeFolders(service.dataDir().toAbsolutePath().normalize().resolve("nodes"));
		this.repository = repository;
		this.hosts = new ContainerHosts(docker.endpoints(), settings.host());
	}

	@Override
	public String name() {
		return NAME;
	}

	/** The first engine, where every node runs while there is one only; reached on first use. */
	DockerEngine engine() {
		return this.hosts.engine(null);
	}

	/** The ports handed out on one address: each engine's host has its own. */
	private PortAllocator ports(String address) {
		return this.ports.computeIfAbsent(address, (host) -> new PortAllocator(host, this.settings.firstPort(),
				this.settings.lastPort(), () -> this.repository.portsInUse(host)));
	}

	@Override
	public Optional<String> refusal(Plan plan) {
		if (plan.haproxy() > 0 && !ServerPrograms.isInstalled(this.settings.haproxy())) {
			return Optional.of("plan " + plan.name() + " needs HAProxy, and '" + this.settings.haproxy()
					+ "' is not installed here, where its image is built from: install it (apt-get install haproxy) "
					+ "or set coffer.provisioning.haproxy");
		}
		return this.hosts.unreachable();
	}

	@Override
	public Reservation reserve(String databaseId, String name, String kind) {
		this.engines.chooseFor(databaseId);
		Path dir = this.folders.dir(databaseId, name);
		String endpoint = this.hosts.place(kind, this.repository.nodesOf(databaseId), INSTANCE_LABEL);
		String address = this.hosts.address(endpoint);
		return new Reservation(address, ports(address).allocate(),
				new ManagedNode.DriverData(NAME, name, kind, dir.toString(), null, endpoint));
	}

	@Override
	public ManagedNode start(ManagedNode node, NodeSetup setup) {
		Path dir = Path.of(node.driverData().dir());
		DockerEngine engine = this.hosts.of(node);
		ServerImages.Image image = this.images.imageFor(engine, program(node));
		String password = (setup instanceof NodeSetup.Redis redis) ? redis.password() : null;
		int memoryMb = (setup instanceof NodeSetup.Redis redis) ? redis.memoryMb() : this.docker.auxiliaryMemoryMb();
		ManagedNode current = node;
		for (int attempt = 1;; attempt++) {
			this.folders.writeConfig(current, setup, dir, CONTAINER_FOLDER);
			// a container left by an attempt that failed half-way holds the name
			engine.remove(containerName(current));
			engine.run(spec(current, image, memoryMb, dir));
			try {
				awaitReady(current, password);
				log.info("Started {} in container {} ({})", describe(current), containerName(current), image.tag());
				return current;
			}
			catch (ProcessNodeDriver.NodeStartException ex) {
				engine.remove(containerName(current));
				if (!ex.addressInUse() || attempt == START_ATTEMPTS) {
					throw ex;
				}
				log.info("Port {} of {} was taken meanwhile; trying another", current.port(), describe(current));
				ports(current.host()).release(current.port());
				current = current.with(ports(current.host()).allocate(), current.driverData());
			}
		}
	}

	/**
	 * The program the node's image is built of: its database's engine for a data node; the installed
	 * redis-server for a sentinel (a sentinel is redis-server {@code --sentinel}, as the process driver runs
	 * it); HAProxy for an entry point.
	 */
	private String program(ManagedNode node) {
		return switch (node.kind()) {
			case ManagedNode.DriverData.SENTINEL -> this.settings.redisServer();
			case ManagedNode.DriverData.HAPROXY -> this.settings.haproxy();
			default -> this.engines.redisServer(node.databaseId(), node.name());
		};
	}

	/** The arguments of the image's program, which reads its configuration from the node's folder. */
	private static List<String> arguments(ManagedNode node) {
		String config = CONTAINER_FOLDER.resolve(NodeConfigFiles.fileName(node.kind())).toString();
		return switch (node.kind()) {
			case ManagedNode.DriverData.SENTINEL -> List.of(config, "--sentinel");
			// in the foreground: the engine watches the container's first process
			case ManagedNode.DriverData.HAPROXY -> List.of("-db", "-f", config);
			default -> List.of(config);
		};
	}

	private DockerEngine.ContainerSpec spec(ManagedNode node, ServerImages.Image image, int memoryMb, Path dir) {
		return spec(node, image, memoryMb, limitBytes(node, memoryMb), dir, List.of());
	}

	private DockerEngine.ContainerSpec spec(ManagedNode node, ServerImages.Image image, int memoryMb, long limitBytes,
			Path dir, List<String> extraArguments) {
		Map<String, String> labels = new LinkedHashMap<>(labels(node));
		labels.put(ROLE_LABEL, node.role());
		labels.put(MEMORY_LABEL, String.valueOf(memoryMb));
		List<String> command = new ArrayList<>(arguments(node));
		command.addAll(extraArguments);
		return new DockerEngine.ContainerSpec(containerName(node), image.tag(), command, labels, limitBytes,
				this.docker.restartPolicy(), dir.toString(), CONTAINER_FOLDER.toString(), owner(dir));
	}

	/** A data node may use its plan's memory plus the headroom; a sentinel or HAProxy its fixed limit. */
	private long limitBytes(ManagedNode node, int memoryMb) {
		return ManagedNode.DriverData.REDIS.equals(node.kind()) ? limitBytes(memoryMb) : memoryMb * MB;
	}

	/**
	 * Stops the data node once its data is on disk: the engine is told not to start it again after a clean exit, then
	 * {@code SHUTDOWN SAVE} writes the dump even when RDB save points are off, and a node that cannot write it
	 * refuses to stop, keeps serving and gets its restart policy back. The container stays, stopped.
	 */
	@Override
	public void stopSaving(ManagedNode node, String password) {
		if (!isRunning(node, password)) {
			throw new IllegalStateException(describe(node) + " is not running");
		}
		DockerEngine engine = this.hosts.of(node);
		String name = containerName(node);
		// a clean exit must not bring it back on its old image; a crash meanwhile still does
		engine.restartOnFailureOnly(name);
		try (Jedis jedis = ProcessNodeDriver.openEitherWay(this.probe, this.saving, node, password)) {
			jedis.shutdown(SaveMode.SAVE);
		}
		catch (JedisDataException ex) {
			engine.updateRestartPolicy(name, this.docker.restartPolicy());
			throw new IllegalStateException(describe(node) + " could not write its data to disk, so it keeps running: "
					+ ex.getMessage());
		}
		catch (RuntimeException ex) {
			// the connection closes as Redis exits after saving
		}
		if (!engine.awaitExit(name, NodeProcesses.STOP_TIMEOUT)) {
			throw new IllegalStateException(describe(node) + " did not exit within "
					+ NodeProcesses.STOP_TIMEOUT.toSeconds() + " s of SHUTDOWN SAVE");
		}
	}

	/**
	 * Replaces the node's container by one of the image of the program its engine version names now, with
	 * the memory limit it had, from the folder as the node left it. A container that does not come up is
	 * stopped for good (kept, so that the next restart finds its limit) and the start fails.
	 */
	@Override
	public ManagedNode restart(ManagedNode node, String password, List<String> extraArguments) {
		DockerEngine engine = this.hosts.of(node);
		InspectContainerResponse previous = engine.inspect(containerName(node))
			.orElseThrow(() -> new IllegalStateException(describe(node) + " has no container to replace"));
		// the limit it has now: a plan change resized it live
		long limit = previous.getHostConfig().getMemory();
		int memoryMb = (int) (limit / MB) - (ManagedNode.DriverData.REDIS.equals(node.kind())
				? this.docker.memoryHeadroomMb() : 0);
		ServerImages.Image image = this.images.imageFor(engine, program(node));
		engine.remove(containerName(node));
		Path dir = Path.of(node.driverData().dir());
		engine.run(spec(node, image, memoryMb, limit, dir, extraArguments));
		try {
			awaitReady(node, password);
		}
		catch (ProcessNodeDriver.NodeStartException ex) {
			engine.stopForGood(containerName(node));
			throw ex;
		}
		log.info("Started {} again in container {} ({})", describe(node), containerName(node), image.tag());
		return node;
	}

	@Override
	public boolean serves(ManagedNode node, String password) {
		return isRunning(node, password);
	}

	@Override
	public void writeTlsFiles(ManagedNode node, NodeTls tls) {
		this.folders.writeTlsFiles(node, tls);
	}

	/** The node's folder is bound at the same path inside every container. */
	@Override
	public Path folderSeenByNode(ManagedNode node) {
		return CONTAINER_FOLDER;
	}

	/**
	 * Stops the node's container for good, at once: a sentinel keeps its state in its file as it learns, and
	 * HAProxy has none. The container stays, stopped, with its memory limit, for {@link #restart} to replace.
	 */
	@Override
	public void stop(ManagedNode node, String password) {
		this.hosts.of(node).stopForGood(containerName(node));
	}

	@Override
	public ManagedNode restartSentinel(ManagedNode node, boolean tls) {
		stop(node, null);
		this.folders.appendListening(node, folderSeenByNode(node), tls);
		return restart(node, null, List.of());
	}

	/** The container's memory limit for a plan's memory: the plan's, plus the headroom. */
	long limitBytes(int memoryMb) {
		return (memoryMb + (long) this.docker.memoryHeadroomMb()) * MB;
	}

	/**
	 * The node's container as the engine knows it now, when it is one of this Coffer's, of this node:
	 * what finds a node again after a restart of Coffer (or of the engine).
	 */
	public Optional<InspectContainerResponse> container(ManagedNode node) {
		return this.hosts.of(node).inspect(containerName(node)).filter((container) -> {
			Map<String, String> labels = container.getConfig().getLabels();
			return labels != null && labels.entrySet().containsAll(labels(node).entrySet());
		});
	}

	/** Whether the node's container runs and the node answers on its address. */
	public boolean isRunning(ManagedNode node, String password) {
		return container(node).map((container) -> Boolean.TRUE.equals(container.getState().getRunning())).orElse(false)
				&& answers(node, password);
	}

	@Override
	public void remove(ManagedNode node, String password) {
		this.hosts.of(node).remove(containerName(node));
		this.folders.remove(node);
		ports(node.host()).release(node.port());
	}

	/**
	 * Gives the node's container the memory limit of a new plan's memory, while it runs (within a plan
	 * family nothing restarts).
	 */
	@Override
	public void resize(ManagedNode node, long maxmemoryBytes) {
		int memoryMb = (int) Math.ceil(maxmemoryBytes / (double) MB);
		this.hosts.of(node).updateMemory(containerName(node), limitBytes(memoryMb));
		log.info("Container {} may now use {} MB", containerName(node), memoryMb + this.docker.memoryHeadroomMb());
	}

	/** The container's figures as the engine counts them, or empty when it has no such container running. */
	Optional<ProcessFigures> figures(ManagedNode node) {
		Optional<Statistics> stats = this.hosts.of(node).stats(containerName(node));
		return stats.filter((reading) -> reading.getMemoryStats() != null && reading.getCpuStats() != null
				&& reading.getCpuStats().getCpuUsage() != null).map(DockerNodeDriver::figures);
	}

	static ProcessFigures figures(Statistics stats) {
		MemoryStatsConfig memory = stats.getMemoryStats();
		double cpuSeconds = orZero(stats.getCpuStats().getCpuUsage().getTotalUsage()) / 1e9;
		long current = orZero(memory.getUsage());
		// cgroup v1 keeps the highest; v2 does not, and then the highest known is the current
		long highest = Math.max(current, orZero(memory.getMaxUsage()));
		long swap = (memory.getStats() != null) ? orZero(memory.getStats().getSwap()) : 0;
		long swapFree = 0;
		if (memory.getStats() != null && memory.getStats().getHierarchicalMemswLimit() != null && memory.getLimit() != null) {
			// memory plus swap may reach the memsw limit: what of it the memory limit leaves is the swap allowed
			long swapAllowed = memory.getStats().getHierarchicalMemswLimit() - memory.getLimit();
			swapFree = Math.max(0, swapAllowed - swap);
		}
		return new ProcessFigures(cpuSeconds, current, highest, swap, swapFree);
	}

	/**
	 * Removes this Coffer's containers (and folders) of databases it no longer runs: those of deleted
	 * databases whose removal did not finish, or that were made while the catalogue lost them.
	 * @return the names of the containers removed
	 */
	public List<String> sweep(Set<String> keptDatabases) {
		List<String> removed = new ArrayList<>();
		for (String endpoint : this.hosts.endpoints()) {
			removed.addAll(sweep(this.hosts.engine(endpoint), keptDatabases));
		}
		return removed;
	}

	private List<String> sweep(DockerEngine engine, Set<String> keptDatabases) {
		List<Container> ours = engine.withLabels(Map.of(INSTANCE_LABEL, this.docker.instance()));
		return ours.stream().filter((container) -> {
			String database = container.getLabels().get(DATABASE_LABEL);
			return database != null && !keptDatabases.contains(database);
		}).map((container) -> {
			engine.remove(container.getId());
			String database = container.getLabels().get(DATABASE_LABEL);
			String node = container.getLabels().get(NODE_LABEL);
			if (node != null) {
				this.folders.remove(new ManagedNode(0, database, "", "", 0, new ManagedNode.DriverData(NAME, node,
						ManagedNode.DriverData.REDIS, this.folders.dir(database, node).toString(), null)));
			}
			return container.getNames().length > 0 ? container.getNames()[0] : container.getId();
		}).toList();
	}

	/** {@code coffer-<instance>-<database>-<node>}: one container per node, whatever the engine holds else. */
	String containerName(ManagedNode node) {
		return "coffer-" + this.docker.instance() + "-" + node.databaseId() + "-" + node.name();
	}

	private Map<String, String> labels(ManagedNode node) {
		return Map.of(INSTANCE_LABEL, this.docker.instance(), DATABASE_LABEL, node.databaseId(), NODE_LABEL,
				node.name());
	}

	private void awaitReady(ManagedNode node, String password) {
		long deadline = System.nanoTime() + this.settings.startTimeout().toNanos();
		while (System.nanoTime() < deadline) {
			if (answers(node, password)) {
				return;
			}
			Optional<InspectContainerResponse> container = this.hosts.of(node).inspect(containerName(node));
			InspectContainerResponse.ContainerState state = container.map(InspectContainerResponse::getState).orElse(null);
			// the engine restarts a program that exits at once: a restart before it answered is a failed start
			boolean failed = state == null || Boolean.FALSE.equals(state.getRunning())
					|| Boolean.TRUE.equals(state.getRestarting())
					|| (container.get().getRestartCount() != null && container.get().getRestartCount() > 0);
			if (failed) {
				String tail = this.folders.logTail(node);
				String why = (state != null) ? "exited with status " + state.getExitCodeLong() : "has no container";
				throw new ProcessNodeDriver.NodeStartException(describe(node) + " " + why + " as it started: " + tail,
						tail.contains("Address already in use") || tail.contains("cannot bind"));
			}
			ProcessNodeDriver.pause(Duration.ofMillis(50));
		}
		throw new ProcessNodeDriver.NodeStartException(describe(node) + " did not answer within "
				+ this.settings.startTimeout().toSeconds() + " s: " + this.folders.logTail(node), false);
	}

	private boolean answers(ManagedNode node, String password) {
		if (ManagedNode.DriverData.HAPROXY.equals(node.kind())) {
			return accepts(node);
		}
		try {
			return this.probe.answering(new RedisEndpoint(node.host(), node.port(), password)).isPresent();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static boolean accepts(ManagedNode node) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(node.host(), node.port()), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String owner(Path dir) {
		try {
			return Files.getAttribute(dir, "unix:uid") + ":" + Files.getAttribute(dir, "unix:gid");
		}
		catch (IOException | UnsupportedOperationException ex) {
			throw new IllegalStateException("cannot tell who owns " + dir + ", whom its container must run as", ex);
		}
	}

	private static long orZero(Long value) {
		return (value != null) ? value : 0;
	}

	private static String describe(ManagedNode node) {
		return ProcessNodeDriver.describe(node);
	}

	@PreDestroy
	void close() throws IOException {
		this.hosts.close();
	}

}
