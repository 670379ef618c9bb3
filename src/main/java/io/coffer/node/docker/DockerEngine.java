package io.coffer.node.docker;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

/**
 * One container engine, reached through its API (a Unix socket or TCP) with docker-java: the few calls the
 * docker node driver makes. It knows containers, images and their labels, nothing of databases.
 */
public final class DockerEngine implements Closeable {

	private final String host;

	private final DockerClient client;

	public DockerEngine(String host) {
		this.host = host;
		DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
		ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder().dockerHost(config.getDockerHost())
			.sslConfig(config.getSSLConfig())
			.maxConnections(16)
			.connectionTimeout(Duration.ofSeconds(5))
			// an image build streams its progress; a stats call waits for two samples of the cgroup
			.responseTimeout(Duration.ofMinutes(5))
			.build();
		this.client = DockerClientImpl.getInstance(config, http);
	}

	public String host() {
		return this.host;
	}

	/** Why the engine cannot be used, or empty when it answers. */
	public Optional<String> unreachable() {
		try {
			this.client.pingCmd().exec();
			return Optional.empty();
		}
		catch (RuntimeException ex) {
			return Optional.of("the container engine at " + this.host + " does not answer: " + ex.getMessage());
		}
	}

	/** The engine's API version, as it reports it. */
	public String apiVersion() {
		return this.client.versionCmd().exec().getApiVersion();
	}

	/** The labels of the image with that tag, or empty when the engine has no such image. */
	public Optional<Map<String, String>> imageLabels(String tag) {
		try {
			Map<String, String> labels = this.client.inspectImageCmd(tag).exec().getConfig().getLabels();
			return Optional.of((labels != null) ? labels : Map.of());
		}
		catch (NotFoundException ex) {
			return Optional.empty();
		}
	}

	/** Builds an image from a build context (a tar holding a Dockerfile), tagged {@code tag}; waits for the end. */
	public String build(InputStream context, String tag, Map<String, String> labels) {
		return this.client.buildImageCmd(context)
			.withTags(Set.of(tag))
			.withLabels(labels)
			.withPull(false)
			.exec(new BuildImageResultCallback())
			.awaitImageId(5, TimeUnit.MINUTES);
	}

	/**
	 * Creates and starts a container on the host's network, with a memory limit, a restart policy, one
	 * folder of the host bound into it, the user it runs as and its labels.
	 * @return the container's id
	 */
	public String run(ContainerSpec spec) {
		HostConfig hostConfig = HostConfig.newHostConfig()
			.withNetworkMode("host")
			.withMemory(spec.memoryBytes())
			.withRestartPolicy(RestartPolicy.parse(spec.restartPolicy()))
			.withBinds(new Bind(spec.hostFolder(), new Volume(spec.containerFolder())));
		String id = this.client.createContainerCmd(spec.image())
			.withName(spec.name())
			.withLabels(spec.labels())
			.withUser(spec.user())
			.withWorkingDir(spec.containerFolder())
			.withCmd(spec.command())
			.withHostConfig(hostConfig)
			.exec()
			.getId();
		this.client.startContainerCmd(id).exec();
		return id;
	}

	/** The container of that name or id, or empty when there is none. */
	public Optional<InspectContainerResponse> inspect(String nameOrId) {
		try {
			return Optional.of(this.client.inspectContainerCmd(nameOrId).exec());
		}
		catch (NotFoundException ex) {
			return Optional.empty();
		}
	}

	/** The memory of the engine's host, as its {@code info} reports it, in bytes. */
	public long memoryTotal() {
		Long total = this.client.infoCmd().exec().getMemTotal();
		return (total != null) ? total : 0;
	}

	/** Every container, running or not, that carries a label of that name, whatever its value. */
	public List<Container> withLabel(String name) {
		return this.client.listContainersCmd().withShowAll(true).withLabelFilter(List.of(name)).exec();
	}

	/** Every container, running or not, that carries all these labels. */
	public List<Container> withLabels(Map<String, String> labels) {
		return this.client.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec();
	}

	/**
	 * Kills and removes the container with its anonymous volumes, at once: what it would write as it
	 * stops is about to be deleted with it. Gone already is fine.
	 */
	public void remove(String nameOrId) {
		try {
			this.client.removeContainerCmd(nameOrId).withForce(true).withRemoveVolumes(true).exec();
		}
		catch (NotFoundException ex) {
			// removed already
		}
	}

	/** Changes the container's memory limit while it runs (what {@code docker update --memory} does). */
	public void updateMemory(String nameOrId, long memoryBytes) {
		// the limit of memory plus swap must stay above the memory limit: twice it, as at creation
		this.client.updateContainerCmd(nameOrId).withMemory(memoryBytes).withMemorySwap(2 * memoryBytes).exec();
	}

	/** Changes what the engine does when the container's program exits: {@code unless-stopped}, {@code always}. */
	public void updateRestartPolicy(String nameOrId, String restartPolicy) {
		update(nameOrId, RestartPolicy.parse(restartPolicy));
	}

	/**
	 * Has the engine start the container's program again only when it fails: a program that exits on its own
	 * with status 0 stays stopped. (The policy {@code no} cannot be set by an update: docker-java sends it as
	 * an empty name, which the engine reads as "unchanged".)
	 */
	public void restartOnFailureOnly(String nameOrId) {
		update(nameOrId, RestartPolicy.onFailureRestart(0));
	}

	private void update(String nameOrId, RestartPolicy policy) {
		this.client.updateContainerCmd(nameOrId).withRestartPolicy(policy).exec();
	}

	/**
	 * Waits until the container's program has exited.
	 * @return whether it did within the timeout (gone already counts)
	 */
	public boolean awaitExit(String nameOrId, Duration timeout) {
		try {
			this.client.waitContainerCmd(nameOrId).exec(new WaitContainerResultCallback())
				.awaitStatusCode(timeout.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (NotFoundException ex) {
			return true;
		}
		catch (DockerClientException ex) {
			// the wait timed out
			return false;
		}
	}

	/**
	 * Stops the container's program at once; the engine does not start a container stopped through its API
	 * again (until it restarts itself, for {@code always}). The container stays.
	 */
	public void stopForGood(String nameOrId) {
		try {
			this.client.stopContainerCmd(nameOrId).withTimeout(0).exec();
		}
		catch (NotFoundException | NotModifiedException ex) {
			// gone, or not running
		}
	}

	/** One reading of the container's statistics (the engine takes two samples of its cgroup for it). */
	public Optional<Statistics> stats(String nameOrId) {
		StatsCallback callback = new StatsCallback();
		try {
			this.client.statsCmd(nameOrId).withNoStream(true).exec(callback);
			callback.awaitCompletion(30, TimeUnit.SECONDS);
		}
		catch (NotFoundException ex) {
			return Optional.empty();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
		finally {
			try {
				callback.close();
			}
			catch (IOException ex) {
				// nothing left to read
			}
		}
		return Optional.ofNullable(callback.last);
	}

	@Override
	public void close() throws IOException {
		this.client.close();
	}

	/**
	 * What a container runs and how.
	 * @param user {@code uid:gid} the program runs as, so that what it writes in the bound folder is its owner's
	 */
	public record ContainerSpec(String name, String image, List<String> command, Map<String, String> labels,
			long memoryBytes, String restartPolicy, String hostFolder, String containerFolder, String user) {
	}

	private static final class StatsCallback extends ResultCallback.Adapter<Statistics> {

		private volatile Statistics last;

		@Override
		public void onNext(Statistics statistics) {
			this.last = statistics;
		}

	}

}
