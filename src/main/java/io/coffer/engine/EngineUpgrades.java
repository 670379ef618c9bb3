package io.coffer.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseBusy;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseNotRunning;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.DatabaseWork.Kind;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.catalog.StoppedInstances;
import io.coffer.catalog.InstanceTimeout;
import io.coffer.catalog.InterruptedWork;
import io.coffer.system.CofferException;
import io.coffer.system.CofferInstance;
import io.coffer.system.InvalidRequest;
import io.coffer.system.JobLaunches;
import io.coffer.system.JobExecutions;
import io.coffer.system.JobNotStarted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * Engine upgrades of databases: what a database may move to now and why not, and each upgrade asked,
 * recorded with who asked and when, then made by {@code engineUpgradeJob} in the background.
 */
@Service
@Order(5)
public class EngineUpgrades implements InterruptedWork {

	private static final Set<Kind> UPGRADE_WAITS_FOR = EnumSet.of(Kind.BACKUP, Kind.RESTORE, Kind.CONFIG_CHANGE,
			Kind.PLAN_CHANGE);

	private static final Logger log = LoggerFactory.getLogger(EngineUpgrades.class);

	public static final String JOB_NAME = "engineUpgradeJob";

	public static final String DATABASE_ID = "databaseId";

	public static final String UPGRADE_ID = "upgradeId";

	private final DatabaseRepository databases;

	private final ProvisioningRepository provisioning;

	private final EngineCatalogue catalogue;

	private final EngineRepository engines;

	private final CofferInstance instance;

	private final InstanceTimeout instanceTimeout;

	private final Clock clock;

	private final JobLaunches jobs;

	private final Job engineUpgradeJob;

	private final TaskExecutor pool;

	private final DatabaseWork work;

	private final JobRepository jobRepository;

	private final WriteFences fences;

	EngineUpgrades(DatabaseRepository databases, ProvisioningRepository provisioning, EngineCatalogue catalogue,
			EngineRepository engines, @Qualifier(JOB_NAME) Job engineUpgradeJob, JobLaunches jobs,
			@Qualifier("engineUpgradeExecutor") TaskExecutor pool, JobRepository jobRepository,
			CofferInstance instance, InstanceTimeout instanceTimeout, Clock clock, DatabaseWork work,
			WriteFences fences) {
		this.work = work;
		this.jobRepository = jobRepository;
		this.fences = fences;
		this.instance = instance;
		this.instanceTimeout = instanceTimeout;
		this.databases = databases;
		this.provisioning = provisioning;
		this.catalogue = catalogue;
		this.engines = engines;
		this.clock = clock;
		this.jobs = jobs;
		this.engineUpgradeJob = engineUpgradeJob;
		this.pool = pool;
	}

	/**
	 * Records the upgrade and starts {@code engineUpgradeJob}; answers its execution at once.
	 * @throws CofferException {@code DatabaseNotFound}; {@code InvalidRequest} for a body that is not
	 * {@code {"version": "x.y.z"}}; {@link EngineUpgradeRefused} for an upgrade the rules or the database do not
	 * allow; {@code DatabaseBusy} or {@code DatabaseNotRunning} while the database is busy
	 */
	public JobExecution request(String databaseId, Map<String, Object> body, String requestedBy) {
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> new DatabaseNotFound(databaseId));
		Availability availability = availability(database);
		if (availability.notUpgradable() != null) {
			throw new EngineUpgradeRefused("upgrade_unavailable", availability.notUpgradable());
		}
		EngineVersion target = parse(body, EngineVersion.parse(availability.version()).engine());
		if (!DatabaseStatus.RUNNING.equals(database.status())) {
			throw new DatabaseNotRunning("database " + databaseId + " is " + database.status()
					+ ": it can be upgraded once it is running");
		}
		EngineVersion current = EngineVersion.parse(availability.version());
		this.catalogue.rules().refusal(current, target).ifPresent((refusal) -> {
			throw new EngineUpgradeRefused("upgrade_refused", refusal.message());
		});
		// an upgrade of the database left by an instance that stopped will not go on: it must not refuse this one
		interrupt(databaseId, this.instanceTimeout.stoppedNow());
		// an upgrade restarts every data node: not under a backup or a restore reading or loading one, a
		// configuration change setting them, or a plan change moving them
		long upgradeId = this.work.startExclusively(databaseId, UPGRADE_WAITS_FOR,
				(change) -> DatabaseBusy.working(change + " of " + databaseId
						+ " is under way: upgrade once it is finished"),
				(status) -> {
					if (!DatabaseStatus.RUNNING.equals(status)) {
						throw new DatabaseNotRunning("database " + databaseId + " is " + status
								+ ": it can be upgraded once it is running");
					}
					return record(databaseId, current, target, requestedBy);
				});
		JobExecution execution;
		try {
			execution = this.jobs.start(this.pool, this.engineUpgradeJob, new JobParametersBuilder()
				.addString(DATABASE_ID, databaseId)
				.addLong(UPGRADE_ID, upgradeId)
				.toJobParameters());
		}
		catch (Exception ex) {
			log.error("engineUpgradeJob could not start for {}", databaseId, ex);
			this.engines.failed(upgradeId, "the job could not start: " + ex.getMessage(),
					this.clock.instant());
			throw new JobNotStarted("the upgrade", ex);
		}
		this.engines.jobStarted(upgradeId, execution.getId());
		log.info("Upgrade of {} from {} to {} started (job {})", databaseId, current, target, execution.getId());
		return execution;
	}

	/**
	 * Marks interrupted every upgrade whose instance stopped, and its job execution failed, as the recovery
	 * job does every few minutes: until then it would keep configuration changes and restores of its
	 * database waiting. Then lifts the write fences finished upgrades left on their primaries; one that
	 * cannot be lifted now is tried again next time.
	 * @return how many upgrades were interrupted
	 */
	@Override
	public String kind() {
		return "engine upgrades";
	}

	@Override
	public int recover(StoppedInstances stopped) {
		int interrupted = interrupt(null, stopped).size();
		for (EngineRepository.WriteFence fence : this.engines.fencesLeft(null)) {
			try {
				this.fences.lift(fence.databaseId(), fence.minReplicasToWrite());
				this.engines.fenceLifted(fence.upgradeId());
				log.warn("The write fence upgrade {} left on {} is lifted: min-replicas-to-write is {} again",
						fence.upgradeId(), fence.databaseId(), fence.minReplicasToWrite());
			}
			catch (RuntimeException ex) {
				log.warn("The write fence upgrade {} left on {} could not be lifted yet: {}", fence.upgradeId(),
						fence.databaseId(), ex.getMessage());
			}
		}
		return interrupted;
	}

	/**
	 * Marks interrupted the unfinished upgrades (of the database, or of all with null) whose instance stopped,
	 * and their job executions failed.
	 */
	private List<EngineRepository.Upgrade> interrupt(String databaseId, StoppedInstances stopped) {
		Instant now = this.clock.instant();
		List<EngineRepository.Upgrade> interrupted = this.engines.interruptAbandoned(databaseId, stopped, now);
		for (EngineRepository.Upgrade upgrade : interrupted) {
			log.warn("The upgrade {} of {} was left by a Coffer instance that stopped: marked interrupted", upgrade.id(),
					upgrade.databaseId());
			JobExecutions.failInterrupted(this.jobRepository, upgrade.job(), EngineRepository.INTERRUPTED, now);
		}
		return interrupted;
	}

	/**
	 * The upgrade's row, unless another upgrade of the database is under way (one whose instance stopped was
	 * marked interrupted before: see {@link #request}).
	 */
	private long record(String databaseId, EngineVersion current, EngineVersion target, String requestedBy) {
		try {
			return this.engines.insert(databaseId, current.toString(), target.toString(), requestedBy,
					this.clock.instant(), this.instance.id());
		}
		catch (DuplicateKeyException ex) {
			throw DatabaseBusy.upgrading("an engine upgrade of " + databaseId
					+ " is already under way; wait for it to finish");
		}
	}

	/** The target: {@code version}, of {@code engine} when named, else of the engine the database runs. */
	private static EngineVersion parse(Map<String, Object> body, String currentEngine) {
		if (body == null || !(body.get("version") instanceof String text)) {
			throw new InvalidRequest("send the version to upgrade to: {\"version\": \"x.y.z\"}, with "
					+ "\"engine\": \"redis\" or \"valkey\" to change engines");
		}
		Set<String> unknown = new TreeSet<>(body.keySet());
		unknown.remove("version");
		unknown.remove("engine");
		if (!unknown.isEmpty()) {
			throw new InvalidRequest(
					"an upgrade takes only \"version\" and \"engine\", not " + String.join(", ", unknown));
		}
		if (body.get("engine") != null && !(body.get("engine") instanceof String)) {
			throw new InvalidRequest("\"engine\" is \"redis\" or \"valkey\"");
		}
		try {
			EngineVersion version = EngineVersion.parse(text);
			String engine = (body.get("engine") != null) ? (String) body.get("engine")
					: EngineVersion.REDIS.equals(version.engine()) && text.strip().matches("[0-9.]+") ? currentEngine
							: version.engine();
			return EngineVersion.of(engine, version.number());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRequest("\"version\": " + ex.getMessage());
		}
	}

	/**
	 * The engine version the database runs, and what it may move to now: the versions available, the
	 * newer ones it must reach another version for first, or why it cannot be upgraded at all.
	 */
	public Availability availability(Database database) {
		Optional<EngineRepository.Upgrade> last = this.engines.of(database.id(), 1).stream().findFirst();
		if (!"provisioned".equals(database.kind())) {
			return Availability.none(null, "a registered database runs on nodes Coffer does not manage: its engine is "
					+ "upgraded where it runs", last);
		}
		List<ManagedNode> nodes = this.provisioning.nodesOf(database.id());
		// the process driver restarts a node's process on the new program, the docker driver replaces its
		// container by one of the new program's image
		if (nodes.stream().anyMatch((node) -> !"process".equals(node.driverData().driver())
				&& !"docker".equals(node.driverData().driver()))) {
			return Availability.none(null, "this database runs on a node of the static pool: its engine is the pool's, "
					+ "which Coffer does not change", last);
		}
		Optional<EngineVersion> version = this.engines.databaseVersion(database.id())
			.map(EngineVersion::parse)
			.or(this.catalogue::installedVersion);
		if (version.isEmpty()) {
			return Availability.none(null, "the engine version of this database is not known", last);
		}
		EngineUpgradeRules rules = this.catalogue.rules();
		EngineVersion current = version.get();
		List<String> available = rules.available(current).stream().map(EngineVersion::toString).toList();
		List<Blocked> blocked = rules.blocked(current)
			.stream()
			.map((refused) -> new Blocked(refused.version().toString(), refused.refusal().message(),
					(refused.refusal().first() != null) ? refused.refusal().first().toString() : null))
			.toList();
		String none = available.isEmpty()
				? (rules.isLatest(current) ? "the database runs the latest version offered" : blocked.get(0).reason())
				: null;
		boolean rolling = nodes.stream().anyMatch((node) -> ManagedNode.DriverData.SENTINEL.equals(node.kind()));
		return new Availability(current.toString(), available, blocked, none, null, downtime(rolling), last.orElse(null));
	}

	private static String downtime(boolean rolling) {
		return rolling ? "no downtime: the replica is upgraded first, the sentinels then fail over to it (clients "
				+ "reconnect once, writes are refused for a moment rather than lost), then the former primary is upgraded"
				: "downtime: the node is stopped once its data is written to disk, then started on the new version; "
						+ "the database is unavailable until it has loaded its data again";
	}

	/**
	 * What {@code GET /databases/{db}} and the dashboard show of the engine.
	 *
	 * @param version the version the database runs, when Coffer knows it
	 * @param available the versions it may be upgraded to now, oldest first
	 * @param blocked the newer versions it must first reach another version for
	 * @param noneAvailable why {@code available} is empty, when it is
	 * @param notUpgradable why Coffer cannot upgrade this database at all (registered, static pool)
	 * @param downtime what an upgrade of this database costs its clients
	 * @param last the latest upgrade asked, if any
	 */
	public record Availability(String version, List<String> available, List<Blocked> blocked, String noneAvailable,
			String notUpgradable, String downtime, EngineRepository.Upgrade last) {

		/** "Redis" or "Valkey"; null when the version is not known. */
		public String engineName() {
			return (this.version != null) ? (EngineVersion.parse(this.version).engine().equals(EngineVersion.VALKEY)
					? "Valkey" : "Redis") : null;
		}

		static Availability none(String version, String reason, Optional<EngineRepository.Upgrade> last) {
			return new Availability(version, List.of(), List.of(), reason, reason, null, last.orElse(null));
		}

	}

	/** A newer version the database cannot move to yet; {@code first} is the version to go to before it. */
	public record Blocked(String version, String reason, String first) {
	}


}
