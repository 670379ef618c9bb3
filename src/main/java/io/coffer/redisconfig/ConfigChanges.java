package io.coffer.redisconfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coffer.catalog.DatabaseBusy;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseNotRunning;
import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.RedisEndpoint;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.Node;
import io.coffer.catalog.StoppedInstances;
import io.coffer.catalog.InterruptedWork;
import io.coffer.redis.RedisUnavailable;
import io.coffer.system.CofferException;
import io.coffer.system.JobLaunches;
import io.coffer.system.JobNotStarted;
import io.coffer.tls.TlsNotSupported;
import io.coffer.tls.TlsSwitch;
import io.coffer.system.CofferInstance;
import io.coffer.system.JobExecutions;
import io.coffer.tls.CertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Service;

/**
 * Changes to the Redis settings of a database: each is recorded with who asked and when, then applied
 * by {@code configJob} in the background; and the settings in effect, read from the primary.
 */
@Service
@Order(6)
public class ConfigChanges implements InterruptedWork {

	private static final Logger log = LoggerFactory.getLogger(ConfigChanges.class);

	private final DatabaseRepository databases;

	private final DatabaseEndpoints endpoints;

	private final ConfigChangeRepository changes;

	private final DatabaseWork work;

	private final Clock clock;

	private final JobLaunches jobs;

	private final Job configJob;

	private final TaskExecutor pool;

	private final TlsSwitch tls;

	private final CofferInstance instance;

	private final JobRepository jobRepository;

	// a database page must not wait on an unreachable node: short timeouts, one round trip
	private final RedisConnections quick;

	ConfigChanges(DatabaseRepository databases, DatabaseEndpoints endpoints, ConfigChangeRepository changes,
			@Qualifier("configJob") Job configJob, JobLaunches jobs, @Qualifier("configExecutor") TaskExecutor pool,
			JobRepository jobRepository, Clock clock, DatabaseWork work,
			TlsSwitch tls, CertificateAuthority authority, CofferInstance instance) {
		this.instance = instance;
		this.jobRepository = jobRepository;
		this.work = work;
		this.databases = databases;
		this.endpoints = endpoints;
		this.changes = changes;
		this.clock = clock;
		this.tls = tls;
		this.quick = new RedisConnections(Duration.ofSeconds(1), Duration.ofSeconds(2), authority::clientSocketFactory);
		this.jobs = jobs;
		this.configJob = configJob;
		this.pool = pool;
	}

	/**
	 * Records the change and starts {@code configJob}; answers its execution at once.
	 * @throws CofferException {@code DatabaseNotFound}; {@code InvalidRequest}, {@link NoMemoryLimit} or
	 * {@code TlsNotSupported} for a change that cannot be made; {@code DatabaseBusy} or {@code DatabaseNotRunning}
	 * while it is still being provisioned or is not running, or while its plan is being changed
	 */
	public JobExecution request(String databaseId, Map<String, Object> body, String requestedBy) {
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> new DatabaseNotFound(databaseId));
		ConfigChange change = ConfigChange.parse(body);
		// said before its nodes are asked anything below; checked again as the change is recorded
		requireNodesUp(databaseId, database.status());
		if (Boolean.TRUE.equals(change.cacheMode()) && database.plan() == null) {
			refuseCacheModeWithoutLimit(database);
		}
		if (change.forceTls() != null) {
			this.tls.refusal(database, change.forceTls()).ifPresent((reason) -> {
				throw new TlsNotSupported(reason);
			});
		}
		// an upgrade restarts the nodes one by one: a change would miss the one down at that moment; a TLS
		// switch changes how every node is reached, under a backup or a restore that reached them before
		Set<DatabaseWork.Kind> blocking = (change.forceTls() != null)
				? EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE, DatabaseWork.Kind.BACKUP, DatabaseWork.Kind.RESTORE)
				: EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE);
		long changeId = this.work.startExclusively(databaseId, blocking,
				(work) -> DatabaseBusy.working(work + " of " + databaseId
						+ " is in progress; change its configuration once it is done"),
				(status) -> {
					requireNodesUp(databaseId, status);
					return this.changes.insert(databaseId, change, requestedBy, this.clock.instant(),
							this.instance.id());
				});
		JobExecution execution;
		try {
			execution = this.jobs.start(this.pool, this.configJob, new JobParametersBuilder().addString(ConfigJobConfiguration.DATABASE_ID, databaseId)
				.addLong(ConfigJobConfiguration.CHANGE_ID, changeId)
				.toJobParameters());
		}
		catch (Exception ex) {
			log.error("configJob could not start for {}", databaseId, ex);
			this.changes.failed(changeId, "the job could not start: " + ex.getMessage());
			throw new JobNotStarted("the configuration change", ex);
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
	@Override
	public String kind() {
		return "configuration changes";
	}

	@Override
	public int recover(StoppedInstances stopped) {
		Instant now = this.clock.instant();
		List<Long> executions = this.changes.interruptAbandoned(stopped,
				JobExecutions.INTERRUPTED + "; ask for the change again");
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
			throw DatabaseBusy.provisioning("database " + databaseId
					+ " is still being provisioned; change its configuration once it is running");
		}
		if (DatabaseStatus.UPDATING.equals(status)) {
			throw DatabaseBusy.updating("the plan of " + databaseId
					+ " is being changed; change its configuration once it is running");
		}
		if (!DatabaseStatus.RUNNING.equals(status)) {
			throw new DatabaseNotRunning("database " + databaseId + " is " + status
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
			throw new RedisUnavailable("redis_unreachable",
					"cannot check the memory limit of " + database.id() + ": " + ex.getMessage(), ex);
		}
		if (maxmemory == 0) {
			throw new NoMemoryLimit(database.id() + " has no maxmemory: cache mode "
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


}
