package io.coffer.node;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How provisioned databases get their nodes, and the timings of their sentinels and HAProxy
 * (jobs/provision.yml describes the job these tune). It lives with the drivers, which read most of it.
 * @param driver {@code process} (Coffer runs redis-server, sentinels, HAProxy under {@code data/nodes/}),
 * {@code docker} (each node in a container of its own on a container engine, coffer.provisioning.docker.*) or
 * {@code static} (claims nodes of a pool; starter plans only)
 * @param host address the nodes listen on and {@code REDIS_URL} names
 * @param firstPort first port the process driver hands out
 * @param lastPort last port the process driver hands out
 * @param redisServer the redis-server program the process driver runs, for data nodes and, with
 * {@code --sentinel}, for sentinels
 * @param haproxy the HAProxy program the process driver runs in front of business databases
 * @param sentinelDownAfter sentinels call a silent primary down after this
 * @param sentinelFailoverTimeout sentinels' failover timeout
 * @param haproxyCheckInterval how often HAProxy looks for the primary
 * @param superviseInterval how often dead processes are restarted
 * @param startTimeout how long nodes (one, or the whole topology) may take to come up
 * @param staticNodes static driver: the pool, {@code host:port,…}, run with {@code databases 5}
 * @param staticPassword static driver: the password of the pool's unclaimed nodes, given back when a database
 * is deleted
 */
@Validated
@ConfigurationProperties("coffer.provisioning")
public record ProvisioningProperties(
		@Pattern(regexp = "process|static|docker", message = "must be 'process', 'static' or 'docker'")
		@DefaultValue("process") String driver,
		@NotNull @Pattern(regexp = "[^\\s:/@]+", message = "must be a host name or an IPv4 address, without port")
		@DefaultValue("127.0.0.1") String host,
		@Min(1024) @Max(65535) @DefaultValue("21000") int firstPort,
		@Min(1024) @Max(65535) @DefaultValue("29999") int lastPort,
		@NotNull @DefaultValue("redis-server") String redisServer, @NotNull @DefaultValue("haproxy") String haproxy,
		@NotNull @DefaultValue("5s") Duration sentinelDownAfter,
		@NotNull @DefaultValue("60s") Duration sentinelFailoverTimeout,
		@NotNull @DefaultValue("1s") Duration haproxyCheckInterval,
		@NotNull @DefaultValue("5s") Duration superviseInterval, @NotNull @DefaultValue("60s") Duration startTimeout,
		@Pattern(regexp = "|([^,:\\s]+:\\d+)(\\s*,\\s*[^,:\\s]+:\\d+)*", message = "must be comma-separated host:port entries, like redis-a:6379,redis-b:6379")
		String staticNodes,
		String staticPassword) {

	public ProvisioningProperties {
		staticNodes = (staticNodes != null) ? staticNodes.trim() : "";
		staticPassword = (staticPassword != null) ? staticPassword : "";
	}

}
