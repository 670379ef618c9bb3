package io.coffer.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import io.coffer.catalog.NoNodes;
import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.catalog.Database;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.Node;
import io.coffer.redis.RedisUnavailable;

import org.springframework.stereotype.Service;

/**
 * What the database dashboard shows, read from the primary: memory (current, highest since start,
 * free against the plan), swap and size on disk (for nodes Coffer runs), CPU time, keys per logical
 * database; and the node as a container engine shows it (CPU usage now, memory and swap current, highest
 * and free, the samples of the last hour), from {@code /proc} for the nodes the process driver runs here,
 * from the engine's container stats for those the docker driver runs, from INFO for the others.
 */
@Service
public class DatabaseStats {

	/** The container figures of a node the process driver runs: from its process. */
	public static final String FROM_PROCESS = "process";

	/** The container figures of a node the docker driver runs: the engine's container stats. */
	public static final String FROM_CONTAINER = "container";

	/** The container figures of a node Coffer does not run here: what INFO gives. */
	public static final String FROM_INFO = "info";

	private final DatabaseNodes nodes;

	private final RedisConnections redis;

	private final UsageHistory history;

	private final Clock clock;

	private final DockerNodeDriver containers;

	DatabaseStats(DatabaseNodes nodes, RedisConnections redis, UsageHistory history, Clock clock,
			DockerNodeDriver containers) {
		this.containers = containers;
		this.nodes = nodes;
		this.redis = redis;
		this.history = history;
		this.clock = clock;
	}

	/**
	 * @param node the node the figures come from
	 * @param memory bytes
	 * @param swapBytes swap the node's process uses, when Coffer runs it; else {@code null}
	 * @param cpuSeconds system and user CPU time the node used since it started
	 * @param uptimeSeconds how long the node has run, which puts {@code cpuSeconds} in proportion
	 * @param disk bytes on disk, when Coffer runs the node; else {@code null}
	 * @param keys keys per logical database, {@code db0} to {@code db4}
	 * @param container the node as a container engine shows it
	 */
	public record Stats(NodeUsed node, Memory memory, Long swapBytes, double cpuSeconds, long uptimeSeconds,
			Disk disk, Map<String, Long> keys, Container container) {

		/** The share of one core the node used on average since it started, in percent. */
		public double averageCpuPercent() {
			return (this.uptimeSeconds > 0) ? 100 * this.cpuSeconds / this.uptimeSeconds : 0;
		}

	}

	public record NodeUsed(String role, String host, int port) {
	}

	/**
	 * The figures of the platform's container stats.
	 *
	 * @param source {@link #FROM_PROCESS}, {@link #FROM_CONTAINER} or {@link #FROM_INFO}
	 * @param cpuPercent the share of one core the node used over the last sampling interval, in percent;
	 * {@code null} until two samples of its current run were taken
	 * @param memory {@code VmRSS}, {@code VmHWM} (highest since the node started) and the plan's memory minus
	 * current, from the process; from INFO {@code used_memory}, {@code used_memory_peak} and {@code maxmemory}
	 * minus used. {@code free} is {@code null} without a memory limit
	 * @param swap {@code VmSwap}, the highest Coffer sampled since the node started (the kernel keeps none), and
	 * the swap the host (or the node's cgroup) still allows; every figure {@code null} from INFO, which has none
	 * @param samples the samples of the last hour, oldest first
	 */
	@JsonInclude(Include.ALWAYS) // a figure not known is said to be null, not left out
	public record Container(String source, Double cpuPercent, Figure memory, Figure swap, List<Sample> samples) {
	}

	/** Bytes; {@code null} where not known. */
	@JsonInclude(Include.ALWAYS)
	public record Figure(Long current, Long highest, Long free) {
	}

	/**
	 * One sample of the container figures.
	 *
	 * @param at when it was read
	 * @param cpuPercent share of a core used since the sample before, or {@code null} for the first one of a run
	 * @param memory bytes
	 * @param swap bytes, {@code null} where not known
	 */
	@JsonInclude(Include.ALWAYS)
	public record Sample(Instant at, Double cpuPercent, long memory, Long swap) {
	}

	/**
	 * @param current {@code used_memory}
	 * @param highest {@code used_memory_peak}: the highest since the node started
	 * @param limit the plan's memory ({@code maxmemory}), or {@code null} without a limit
	 * @param free what is left of the limit, or {@code null} without a limit
	 */
	public record Memory(long current, long highest, Long limit, Long free) {
	}

	/**
	 * @param size the node's whole data folder
	 * @param rdb the RDB snapshot, if one was written
	 * @param aof the append-only files, if any
	 */
	public record Disk(long size, Long rdb, Long aof) {
	}

	public Stats of(Database database) {
		Reading reading = read(database);
		Map<String, String> info = reading.info();
		long used = number(info, "used_memory");
		long max = number(info, "maxmemory");
		Memory memory = new Memory(used, number(info, "used_memory_peak"), (max > 0) ? max : null,
				(max > 0) ? Math.max(0, max - used) : null);
		double cpu = decimal(info, "used_cpu_sys") + decimal(info, "used_cpu_user");
		Long swap = reading.process().map(ProcessFigures::swap).orElse(null);
		Disk disk = reading.node()
			.filter((candidate) -> candidate.driverData().dir() != null)
			.map((candidate) -> disk(Path.of(candidate.driverData().dir())))
			.orElse(null);
		Map<String, Long> keys = new TreeMap<>();
		for (int db = 0; db < NodeConfigFiles.BASELINE_DATABASES && "provisioned".equals(database.kind()); db++) {
			keys.put("db" + db, 0L);
		}
		info.forEach((name, value) -> {
			if (name.matches("db\\d+")) {
				keys.put(name, keysOf(value));
			}
		});
		String role = "master".equals(info.get("role")) ? Node.PRIMARY : Node.REPLICA;
		return new Stats(new NodeUsed(role, reading.host(), reading.port()), memory, swap, cpu,
				number(info, "uptime_in_seconds"), disk, keys, container(reading, max));
	}

	/** Reads the container figures of the database's primary now and keeps them as a sample of its node. */
	void sample(Database database) {
		Reading reading = read(database);
		Optional<ProcessFigures> process = reading.process();
		double cpuSeconds = process.map(ProcessFigures::cpuSeconds)
			.orElseGet(() -> decimal(reading.info(), "used_cpu_sys") + decimal(reading.info(), "used_cpu_user"));
		long memory = process.map(ProcessFigures::memory).orElseGet(() -> number(reading.info(), "used_memory"));
		this.history.record(reading.address(), reading.info().get("run_id"), this.clock.instant(), cpuSeconds, memory,
				process.map(ProcessFigures::swap).orElse(null));
	}

	private Container container(Reading reading, long maxMemory) {
		UsageHistory.Window window = this.history.of(reading.address(), reading.info().get("run_id"));
		Double cpu = window.latest().map(Sample::cpuPercent).orElse(null);
		Optional<ProcessFigures> process = reading.process();
		if (process.isEmpty()) {
			long used = number(reading.info(), "used_memory");
			Figure memory = new Figure(used, number(reading.info(), "used_memory_peak"),
					(maxMemory > 0) ? Math.max(0, maxMemory - used) : null);
			return new Container(FROM_INFO, cpu, memory, new Figure(null, null, null), window.samples());
		}
		ProcessFigures figures = process.get();
		Figure memory = new Figure(figures.memory(), figures.memoryHighest(),
				(maxMemory > 0) ? Math.max(0, maxMemory - figures.memory()) : null);
		long swapHighest = Math.max(figures.swap(), (window.swapHighest() != null) ? window.swapHighest() : 0);
		Figure swap = new Figure(figures.swap(), swapHighest, figures.swapFree());
		return new Container(reading.source(), cpu, memory, swap, window.samples());
	}

	/**
	 * What the primary answered, and its process when the process driver runs it on this host.
	 *
	 * @param port the port of the node that answered (through HAProxy, not the entry point's)
	 */
	private record Reading(String host, int port, Map<String, String> info, Optional<ManagedNode> node,
			Optional<ProcessFigures> process, String source) {

		String address() {
			return this.host + ":" + this.port;
		}

	}

	private Reading read(Database database) {
		String password = this.nodes.password(database.id()).orElse(null);
		List<ManagedNode> managed = this.nodes.all(database.id());
		RedisEndpoint primary = primary(database, managed, password).withTls(this.nodes.tls(database.id()));
		Map<String, String> info;
		try {
			info = this.redis.call(primary, (jedis) -> RedisInfo.fields(jedis.info("everything")));
		}
		catch (RedisAccessException ex) {
			throw new RedisUnavailable("redis_" + ex.code(), "the database does not answer: " + ex.getMessage(), ex);
		}
		// through HAProxy, the node that answered says which one it is by its own port
		int port = Integer.parseInt(info.getOrDefault("tcp_port", String.valueOf(primary.port())));
		Optional<ManagedNode> node = managed.stream()
			.filter((candidate) -> ManagedNode.DriverData.REDIS.equals(candidate.kind()) && candidate.port() == port)
			.findFirst();
		// only the process driver's nodes run on this host: another node's process id names nothing here
		Optional<ProcessFigures> process = node
			.filter((candidate) -> ProcessNodeDriver.NAME.equals(candidate.driverData().driver()))
			.flatMap((candidate) -> Optional.ofNullable(info.get("process_id")))
			.flatMap((pid) -> ProcessFigures.of(Long.parseLong(pid.trim())));
		if (process.isPresent()) {
			return new Reading(primary.host(), port, info, node, process, FROM_PROCESS);
		}
		// a container's figures come from its engine, wherever the engine runs
		Optional<ProcessFigures> container = node
			.filter((candidate) -> DockerNodeDriver.NAME.equals(candidate.driverData().driver()))
			.flatMap(this.containers::figures);
		return new Reading(primary.host(), port, info, node, container,
				container.isPresent() ? FROM_CONTAINER : FROM_INFO);
	}

	private RedisEndpoint primary(Database database, List<ManagedNode> managed, String password) {
		Optional<ManagedNode> entry = "provisioned".equals(database.kind()) ? this.nodes.entryPoint(database.id())
				: Optional.empty();
		if (entry.isPresent()) {
			return new RedisEndpoint(entry.get().host(), entry.get().port(), password);
		}
		Node node = database.listedPrimary()
			.orElseThrow(() -> new NoNodes("database " + database.id() + " has no node"));
		return new RedisEndpoint(node.host(), node.port(), password);
	}

	private static Disk disk(Path dir) {
		Path rdb = dir.resolve("dump.rdb");
		Path aof = dir.resolve("appendonlydir");
		return new Disk(size(dir), Files.exists(rdb) ? size(rdb) : null, Files.exists(aof) ? size(aof) : null);
	}

	private static long size(Path path) {
		try (Stream<Path> files = Files.walk(path)) {
			return files.filter(Files::isRegularFile).mapToLong((file) -> {
				try {
					return Files.size(file);
				}
				catch (IOException ex) {
					return 0; // removed while we counted (a rewrite of the RDB)
				}
			}).sum();
		}
		catch (IOException | UncheckedIOException ex) {
			return 0;
		}
	}

	private static long keysOf(String keyspaceValue) {
		// keys=12,expires=0,avg_ttl=0
		for (String part : keyspaceValue.split(",")) {
			if (part.startsWith("keys=")) {
				return Long.parseLong(part.substring(5));
			}
		}
		return 0;
	}

	private static long number(Map<String, String> info, String name) {
		String value = info.get(name);
		return (value != null) ? Long.parseLong(value.trim()) : 0;
	}

	private static double decimal(Map<String, String> info, String name) {
		String value = info.get(name);
		return (value != null) ? Double.parseDouble(value.trim()) : 0;
	}

}
