package io.coffer.node;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.github.dockerjava.api.model.Container;
import io.coffer.catalog.ManagedNode;
import io.coffer.node.docker.DockerEngine;

/**
 * The container engines the docker driver runs nodes on ({@code coffer.provisioning.docker.hosts}, or its
 * one {@code host}), each reached on first use, and which one a new node goes to: the one with the fewest
 * nodes of its kind of the same database (so that a primary and its replica, the sentinels and the two
 * HAProxy are spread), and of those the one with the most free memory.
 */
final class ContainerHosts implements Closeable {

	private final List<String> endpoints;

	private final String localAddress;

	private final Map<String, DockerEngine> engines = new ConcurrentHashMap<>();

	/**
	 * @param localAddress where the nodes of an engine reached through a Unix socket listen: that engine runs
	 * on this machine
	 */
	ContainerHosts(List<String> endpoints, String localAddress) {
		this.endpoints = List.copyOf(endpoints);
		this.localAddress = localAddress;
	}

	List<String> endpoints() {
		return this.endpoints;
	}

	/** The engine at that endpoint; null stands for the first, where nodes made before there were several run. */
	DockerEngine engine(String endpoint) {
		return this.engines.computeIfAbsent((endpoint != null) ? endpoint : this.endpoints.get(0), DockerEngine::new);
	}

	DockerEngine of(ManagedNode node) {
		return engine(node.driverData().engine());
	}

	/** Why no engine can take a node, or empty when one answers at least. */
	Optional<String> unreachable() {
		List<String> reasons = this.endpoints.stream().map((endpoint) -> engine(endpoint).unreachable())
			.flatMap(Optional::stream).toList();
		return (reasons.size() < this.endpoints.size()) ? Optional.empty() : Optional.of(String.join("; ", reasons));
	}

	/**
	 * The engine a new node of that kind goes to, given the nodes its database has already.
	 * @param containerLabel the label every Coffer puts on its containers, whose memory limits are taken
	 */
	String place(String kind, List<ManagedNode> databaseNodes, String containerLabel) {
		if (this.endpoints.size() == 1) {
			return this.endpoints.get(0);
		}
		Map<String, Long> sameKind = databaseNodes.stream()
			.filter((node) -> kind.equals(node.kind()))
			.collect(Collectors.groupingBy((node) -> endpointOf(node), Collectors.counting()));
		List<String> reachable = this.endpoints.stream()
			.filter((endpoint) -> engine(endpoint).unreachable().isEmpty())
			.toList();
		if (reachable.isEmpty()) {
			throw new IllegalStateException("no container engine answers: " + unreachable().orElse(""));
		}
		Map<String, Long> free = reachable.stream()
			.collect(Collectors.toMap((endpoint) -> endpoint, (endpoint) -> freeMemory(endpoint, containerLabel)));
		return reachable.stream()
			.min(Comparator.<String>comparingLong((endpoint) -> sameKind.getOrDefault(endpoint, 0L))
				.thenComparing(Comparator.<String>comparingLong(free::get).reversed()))
			.orElseThrow();
	}

	/**
	 * The engine's memory, as its {@code info} reports it, less the memory limits of every Coffer's containers
	 * there: what the engine has not promised yet.
	 */
	long freeMemory(String endpoint, String containerLabel) {
		DockerEngine engine = engine(endpoint);
		long promised = 0;
		for (Container container : engine.withLabel(containerLabel)) {
			promised += engine.inspect(container.getId())
				.map((inspected) -> inspected.getHostConfig().getMemory())
				.orElse(0L);
		}
		return engine.memoryTotal() - promised;
	}

	/** Where the nodes of that engine listen: its host for a TCP engine, this machine's for a Unix socket. */
	String address(String endpoint) {
		URI uri = URI.create(endpoint);
		return ("tcp".equals(uri.getScheme()) && uri.getHost() != null) ? uri.getHost() : this.localAddress;
	}

	private String endpointOf(ManagedNode node) {
		return (node.driverData().engine() != null) ? node.driverData().engine() : this.endpoints.get(0);
	}

	@Override
	public void close() throws IOException {
		for (DockerEngine engine : this.engines.values()) {
			engine.close();
		}
	}

}
