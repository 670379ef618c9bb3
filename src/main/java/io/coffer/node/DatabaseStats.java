package io.coffer.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

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
 * database.
 */
@Service
public class DatabaseStats {

	private final DatabaseNodes nodes;

	private final RedisConnections redis;

	DatabaseStats(DatabaseNodes nodes, RedisConnections redis) {
		this.nodes = nodes;
		this.redis = redis;
	}

	/**
	 * @param node the node the figures come from
	 * @param memory bytes
	 * @param swapBytes swap the node's process uses, when Coffer runs it; else {@code null}
	 * @param cpuSeconds system and user CPU time the node used since it started
	 * @param uptimeSeconds how long the node has run, which puts {@code cpuSeconds} in proportion
	 * @param disk bytes on disk, when Coffer runs the node; else {@code null}
	 * @param keys keys per logical database, {@code db0} to {@code db4}
	 */
	public record Stats(NodeUsed node, Memory memory, Long swapBytes, double cpuSeconds, long uptimeSeconds,
			Disk disk, Map<String, Long> keys) {

		/** The share of one core the node used on average since it started, in percent. */
		public double averageCpuPercent() {
			return (this.uptimeSeconds > 0) ? 100 * this.cpuSeconds / this.uptimeSeconds : 0;
		}

	}

	public record NodeUsed(String role, String host, int port) {
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
		long used = number(info, "used_memory");
		long max = number(info, "maxmemory");
		Memory memory = new Memory(used, number(info, "used_memory_peak"), (max > 0) ? max : null,
				(max > 0) ? Math.max(0, max - used) : null);
		double cpu = decimal(info, "used_cpu_sys") + decimal(info, "used_cpu_user");
		Long swap = node.flatMap((candidate) -> swapOf(info.get("process_id"))).orElse(null);
		Disk disk = node.filter((candidate) -> candidate.driverData().dir() != null)
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
		return new Stats(new NodeUsed(role, primary.host(), port), memory, swap, cpu, number(info, "uptime_in_seconds"),
				disk, keys);
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

	/** VmSwap of the process, from /proc: readable for processes of this machine. */
	private static Optional<Long> swapOf(String pid) {
		if (pid == null) {
			return Optional.empty();
		}
		Path status = Path.of("/proc", pid, "status");
		try (Stream<String> lines = Files.lines(status, StandardCharsets.UTF_8)) {
			return lines.filter((line) -> line.startsWith("VmSwap:"))
				.findFirst()
				.map((line) -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
		}
		catch (IOException | UncheckedIOException | NumberFormatException ex) {
			return Optional.empty();
		}
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
