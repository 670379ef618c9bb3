package io.coffer.node;

import java.util.List;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The docker driver's settings ({@code coffer.provisioning.driver=docker}).
 * @param host the container engine's API: {@code unix:///var/run/docker.sock}, or {@code tcp://host:2376}
 * @param memoryHeadroomMb what a data node's container may use beyond the plan's memory (Redis' own
 * structures, replication and client buffers, the fork of a save): the container's limit is the plan's
 * memory plus this
 * @param restartPolicy what the engine does when a node's program exits: {@code unless-stopped} or {@code always}
 * @param instance the value of the label {@code io.coffer.instance} on this Coffer's containers, so that
 * several Coffers can share one engine and each finds (and sweeps) its own only
 * @param hosts several container engines, comma-separated ({@code COFFER_DOCKER_HOSTS}), in place of
 * {@code host}: each new database goes to the one with the most free memory, and its nodes are spread over
 * them (its primary and its replica never on the same one). A {@code tcp://} engine's nodes listen on its
 * host name; those of a Unix socket on {@code coffer.provisioning.host}. Each engine binds the node's folder
 * at its path under Coffer's data directory, which must be that path on its host too (a shared file system)
 * @param auxiliaryMemoryMb the memory limit of the container of each sentinel and HAProxy of a business
 * database (they hold no data: a few MB each)
 */
@Validated
@ConfigurationProperties("coffer.provisioning.docker")
public record DockerProperties(@NotBlank @DefaultValue("unix:///var/run/docker.sock") String host,
		@Min(0) @DefaultValue("64") int memoryHeadroomMb,
		@Pattern(regexp = "unless-stopped|always", message = "must be 'unless-stopped' or 'always'")
		@DefaultValue("unless-stopped") String restartPolicy,
		@NotBlank @Pattern(regexp = "[a-zA-Z0-9][a-zA-Z0-9_.-]*", message = "must be letters, digits, '_', '.' or '-'")
		@DefaultValue("coffer") String instance,
		@Min(16) @DefaultValue("64") int auxiliaryMemoryMb,
		@DefaultValue List<String> hosts) {

	/** The engines new nodes may go to: {@code hosts}, or else {@code host} alone. */
	public List<String> endpoints() {
		return (this.hosts == null || this.hosts.isEmpty()) ? List.of(this.host) : List.copyOf(this.hosts);
	}
}
