package io.coffer.redisconfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.RedisEndpoint;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.Node;
import io.coffer.tls.TlsSwitch;
import io.coffer.system.ApiException;
import io.coffer.system.BackgroundJobOperator;
import io.coffer.system.CofferInstance;
import io.coffer.system.ClusterProperties;
import io.coffer.system.JobExecutions;
import io.coffer.tls.CertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;

/**
 * Changes to the Redis settings of a database: each is recorded with who asked and when, then applied
 * by {@code configJob} in the background; and the settings in effect, read from the primary.
 */
@Service
public class ConfigChanges implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ConfigChanges.class);

	private final DatabaseRepository databases;

	private final DatabaseEndpoints endpoints;

	private final ConfigChangeRepository changes;

	private final DatabaseWork work;

	private final Clock clock;

	private final BackgroundJobOperator jobs;

	private final TlsSwitch tls;

	private final CofferInstance instance;

	private final Duration instanceTimeout;

	private final JobRepository jobRepository;

	// a database page must not wait on an unreachable node: short timeouts, one round trip
	private final RedisConnections quick;

	ConfigChanges(DatabaseRepository databases, DatabaseEndpoints endpoints, ConfigChangeRepository changes,
			@Qualifier("configJob") Job configJob, JobRepository jobRepository, Clock clock, DatabaseWork work,
			TlsSwitch tls, CertificateAuthority authority, CofferInstance instance, ClusterProperties cluster)
			throws Exception {
		this.instance = instance;
		this.instanceTimeout = cluster.instanceTimeout();
		this.jobRepository = jobRepository;
		this.work = work;
		this.databases = databases;
		this.endpoints = endpoints;
		this.changes = changes;
		this.clock = clock;
		this.tls = tls;
		this.quick = new RedisConnections(Duration.ofSeconds(1), Duration.ofSeconds(2), authority::clientSocketFactory);
		// changes mostly wait on Redis; a few at a time are plenty, and the queue keeps the rest
		this.jobs = new BackgroundJobOperator(configJob, jobRepository, 2, "config-");
	}

	/**
	 * Records the change and starts {@code configJob}; answers its execution at once.
	 * @throws ApiException 404 for an unknown database, 400 or 422 for a change that cannot be made, 409 while
	 * it is still being provisioned or is not running, or while its plan is being changed
	 */
	public JobExecution request(String databaseId, Map<String, Object> body, String requestedBy) {
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> ApiException.notFound("database " + databaseId));
		ConfigChange change = ConfigChange.parse(body);
		// said before its nodes are asked anything below; checked again as the change is recorded
		requireNodesUp(databaseId, database.status());
		if (Boolean.TRUE.equals(change.cacheMode()) && database.plan() == null) {
			refuseCacheModeWithoutLimit(database);
		}
		if (change.forceTls() != null) {
			this.tls.refusal(database, change.forceTls()).ifPresent((reason) -> {
				throw ApiException.unprocessable("tls_not_supported", reason);
			});
		}
		// an upgrade restarts the nodes one by one: a change would miss the one down at that moment; a TLS
		// switch changes how every node is reached, under a backup or a restore that reached them before
		Set<DatabaseWork.Kind> blocking = (change.forceTls() != null)
				? EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE, DatabaseWork.Kind.BACKUP, DatabaseWork.Kind.RESTORE)
				: EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE);
		long changeId = this.work.startExclusively(databaseId, blocking,
				(work) -> ApiException.conflict("database_busy", work + " of " + databaseId
						+ " is in progress; change its configuration once it is done"),
				(status) -> {
					requireNodesUp(databaseId, status);
					return this.changes.insert(databaseId, change, requestedBy, this.clock.instant(),
							this.instance.id());
				});
		JobExecution execution;
		try {
			execution = this.jobs.start(new JobParametersBuilder().addString(ConfigJobConfiguration.DATABASE_ID, databaseId)
				.addLong(ConfigJobConfiguration.CHANGE_ID, changeId)
				.toJobParameters());
		}
		catch (Exception ex) {
			log.error("configJob could not start for {}", databaseId, ex);
			this.changes.status(changeId, ConfigChangeRepository.ERROR, "the job could not start: " + ex.getMessage());
			throw ApiException.conflict("job_not_started", "the configuration change could not start: " + ex.getMessage());
		}
		this.changes.jobStarted(changeId, execution.getId());
		return execution;
	}

	/**
	 * Marks interrupted every change whose instance stopped, as the recovery job does every few minutes:
	 * until then it would hold plan changes and engine upgrades of its database back. A TLS switch cut
	 * midway leaves nodes mixed until it is asked again.
	 * @return how many there were
	 */
	public int recoverInterrupted() {
		Instant now = this.clock.instant();
		List<Long> executions = this.changes.interruptAbandoned(this.instance.id(), this.instance.startedAt(),
				now.minus(this.instanceTimeout), JobExecutions.INTERRUPTED + "; ask for the change again");
		executions.forEach((execution) -> JobExecutions.failInterrupted(this.jobRepository, execution,
				JobExecutions.INTERRUPTED, now));
		if (!executions.isEmpty()) {
			log.warn("{} configuration changes were left by Coffer instances that stopped: marked interrupted",
					executions.size());
		}
		return executions.size();
	}

	/**
	 * A change is set on every data node, so they must all be up: not yet while the database is provisioned
	 * (a change then would run against nodes not started), not while its plan moves them, and not after a
	 * failure or during a deletion, which allow nothing but deletion.
	 */
	private static void requireNodesUp(String databaseId, String status) {
		if (DatabaseStatus.PROVISIONING.equals(status)) {
			throw ApiException.conflict("database_provisioning", "database " + databaseId
					+ " is still being provisioned; change its configuration once it is running");
		}
		if (DatabaseStatus.UPDATING.equals(status)) {
			throw ApiException.conflict("database_updating", "the plan of " + databaseId
					+ " is being changed; change its configuration once it is running");
		}
		if (!DatabaseStatus.RUNNING.equals(status)) {
			throw ApiException.conflict("database_not_running", "database " + databaseId + " is " + status
					+ ": its configuration can change once it is running");
		}
	}

	/** A registered database is evicted within its own limit: without one, cache mode cannot be set. */
	private void refuseCacheModeWithoutLimit(Database database) {
		long maxmemory;
		try {
			maxmemory = this.quick.call(primaryOf(database),
					(jedis) -> Long.parseLong(jedis.configGet("maxmemory").get("maxmemory")));
		}
		catch (RuntimeException ex) {
			throw ApiException.unavailable("redis_unreachable",
					"cannot check the memory limit of " + database.id() + ": " + ex.getMessage(), ex);
		}
		if (maxmemory == 0) {
			throw ApiException.unprocessable("no_memory_limit", database.id() + " has no maxmemory: cache mode "
					+ "would never evict; set maxmemory on its nodes first");
		}
	}

	/** The settings in effect on the primary the catalogue names. */
	public EffectiveConfig effective(Database database) {
		return RedisSettings.read(this.quick, primaryOf(database));
	}

	/** The {@code INFO server} fields of the database's primary, with the short timeouts of a page. */
	public Map<String, String> serverInfo(Database database) {
		return this.quick.call(primaryOf(database), (jedis) -> RedisInfo.fields(jedis.info("server")));
	}

	private RedisEndpoint primaryOf(Database database) {
		Node node = database.listedPrimary()
			.orElseThrow(() -> new IllegalStateException(database.id() + " has no data node"));
		return this.endpoints.node(database, node.host(), node.port());
	}

	@Override
	public void destroy() {
		this.jobs.close();
	}

}
