package io.coffer.planchange;

import io.coffer.catalog.DatabaseBusy;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseNotRunning;
import io.coffer.catalog.NoNodes;
import io.coffer.node.DatabaseLocks;

import java.time.Clock;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import io.coffer.node.DatabaseNodes;
import io.coffer.node.NodeDrivers;
import io.coffer.node.Plan;
import io.coffer.node.PlanCatalogue;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.DatabaseWork.Kind;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.node.PlanUnavailable;
import io.coffer.node.UnknownPlan;
import io.coffer.redis.RedisUnavailable;
import io.coffer.system.CofferException;
import io.coffer.system.JobLaunches;
import io.coffer.system.CofferInstance;
import io.coffer.system.InvalidRequest;
import io.coffer.system.JobNotStarted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves provisioned databases to other plans: each change is checked (the data must fit a smaller plan)
 * and recorded with who asked and when before anything changes, then made by {@code planChangeJob} in the
 * background while the database is {@code updating}.
 */
@Service
public class PlanChanges {

	private static final Set<Kind> PLAN_WAITS_FOR = EnumSet.of(Kind.BACKUP, Kind.RESTORE, Kind.CONFIG_CHANGE,
			Kind.ENGINE_UPGRADE);

	private static final Logger log = LoggerFactory.getLogger(PlanChanges.class);

	static final String PLAN = "plan";

	private final DatabaseRepository databases;

	private final ProvisioningRepository repository;

	private final PlanChangeRepository changes;

	private final DatabaseWork work;


	private final PlanCatalogue plans;

	private final DatabaseNodes nodes;

	private final NodeDrivers drivers;

	private final PlanChangeSteps steps;

	private final DatabaseLocks locks;

	private final TransactionTemplate transaction;

	private final CofferInstance instance;

	private final Clock clock;

	private final JobLaunches jobs;

	private final Job planChangeJob;

	private final TaskExecutor pool;

	PlanChanges(DatabaseRepository databases, ProvisioningRepository repository, PlanChangeRepository changes,
			PlanCatalogue plans, DatabaseNodes nodes, NodeDrivers drivers, PlanChangeSteps steps, DatabaseLocks locks,
			TransactionTemplate transaction, @Qualifier("planChangeJob") Job planChangeJob, JobLaunches jobs,
			@Qualifier("planChangeExecutor") TaskExecutor pool,
			CofferInstance instance, Clock clock, DatabaseWork work) {
		this.work = work;
		this.databases = databases;
		this.repository = repository;
		this.changes = changes;
		this.plans = plans;
		this.nodes = nodes;
		this.drivers = drivers;
		this.steps = steps;
		this.locks = locks;
		this.transaction = transaction;
		this.instance = instance;
		this.clock = clock;
		this.jobs = jobs;
		this.planChangeJob = planChangeJob;
		this.pool = pool;
	}

	/**
	 * Checks and records the change, marks the database {@code updating} and starts {@code planChangeJob};
	 * answers its execution at once.
	 * @throws CofferException {@code DatabaseNotFound}; {@code InvalidRequest} for a request without a plan;
	 * {@link PlanChangeRefused}, {@code UnknownPlan} or {@code PlanUnavailable} for a change that cannot be made
	 * (unknown or same plan, registered database, data too big for the plan); {@code DatabaseBusy} or
	 * {@code DatabaseNotRunning} while the database is not running or something else changes it;
	 * {@code RedisUnavailable} when its primary cannot be asked
	 */
	public JobExecution request(String databaseId, Map<String, Object> body, String requestedBy) {
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> new DatabaseNotFound(databaseId));
		String toName = requestedPlan(body);
		if (database.plan() == null) {
			throw new PlanChangeRefused("no_plan", "database " + databaseId + " is registered: it has no plan "
					+ "to change (its nodes and their memory are its operator's)");
		}
		Plan to = this.plans.find(toName)
			.orElseThrow(() -> new UnknownPlan("there is no plan named " + toName + "; GET /api/v1/plans lists them"));
		if (to.name().equals(database.plan())) {
			throw new PlanChangeRefused("same_plan", "database " + databaseId + " is already on plan " + to.name());
		}
		Plan from = this.plans.find(database.plan())
			.orElseThrow(() -> new PlanChangeRefused("plan_not_offered", "the plan of " + databaseId + ", "
					+ database.plan() + ", is no longer offered: its size cannot be compared"));
		ManagedNode primary = this.nodes.named(databaseId, DatabaseNodes.PRIMARY)
			.orElseThrow(() -> new NoNodes("database " + databaseId + " has no nodes"));
		this.drivers.of(primary).refusal(to).ifPresent((reason) -> {
			throw new PlanUnavailable(reason);
		});
		requireRunning(database);
		// a plan change moves and restarts nodes under whatever else works on them
		this.work.inFlight(databaseId, PLAN_WAITS_FOR).ifPresent((work) -> {
			throw DatabaseBusy.working(work + " of " + databaseId
					+ " is in progress; change the plan once it is done");
		});
		if (to.memoryMb() < from.memoryMb()) {
			requireDataFits(database, to);
		}
		// checked again with the database's row locked as the change is recorded: nothing can slip in between
		long changeId = this.locks.withLock(databaseId, () -> this.work.startExclusively(databaseId, PLAN_WAITS_FOR,
				(work) -> DatabaseBusy.working(work + " of " + databaseId
						+ " is in progress; change the plan once it is done"),
				(status) -> record(database, from, to, requestedBy)));
		JobExecution execution;
		try {
			execution = this.jobs.start(this.pool, this.planChangeJob, 
					new JobParametersBuilder().addString(PlanChangeJobConfiguration.DATABASE_ID, databaseId)
						.addLong(PlanChangeJobConfiguration.CHANGE_ID, changeId)
						.toJobParameters());
		}
		catch (Exception ex) {
			log.error("planChangeJob could not start for {}", databaseId, ex);
			this.changes.notStarted(changeId, "the job could not start: " + ex.getMessage(),
					this.clock.instant());
			this.repository.changeStatus(databaseId, DatabaseStatus.UPDATING, DatabaseStatus.RUNNING, null);
			throw new JobNotStarted("the plan change", ex);
		}
		this.changes.jobStarted(changeId, execution.getId());
		return execution;
	}

	private static String requestedPlan(Map<String, Object> body) {
		if (body == null || !(body.get(PLAN) instanceof String name) || name.isBlank()) {
			throw new InvalidRequest("send \"plan\": the name of the new plan (GET /api/v1/plans lists them)");
		}
		Set<String> unknown = new TreeSet<>(body.keySet());
		unknown.remove(PLAN);
		if (!unknown.isEmpty()) {
			throw new InvalidRequest("unknown field" + ((unknown.size() > 1) ? "s " : " ") + String.join(", ",
					unknown.stream().map((field) -> "\"" + field + "\"").toList()) + "; send only \"plan\"");
		}
		return name.strip();
	}

	private static void requireRunning(Database database) {
		if (DatabaseStatus.UPDATING.equals(database.status())) {
			throw DatabaseBusy.changingPlan(
					"the plan of " + database.id() + " is already being changed; wait for it to finish");
		}
		if (!DatabaseStatus.RUNNING.equals(database.status())) {
			throw new DatabaseNotRunning(
					"database " + database.id() + " is " + database.status() + ": its plan can change once it is running");
		}
	}

	/** A smaller plan must hold the data as it is now: refused before anything changes, saying both sizes. */
	private void requireDataFits(Database database, Plan to) {
		long used;
		try {
			used = this.steps.usedMemory(database);
		}
		catch (RuntimeException ex) {
			throw new RedisUnavailable("redis_unreachable",
					"cannot measure the data of " + database.id() + ": " + ex.getMessage(), ex);
		}
		if (used > PlanChangeSteps.bytes(to)) {
			throw new PlanChangeRefused("plan_too_small", tooBig(database.id(), used, to));
		}
	}

	static String tooBig(String databaseId, long usedBytes, Plan to) {
		return String.format(Locale.ROOT, "the data of %s uses %.1f MB of memory and plan %s allows %d MB: "
				+ "delete keys or choose a larger plan", databaseId, usedBytes / (1024.0 * 1024.0), to.name(), to.memoryMb());
	}

	/** The row and the {@code updating} status together: a second change, on any instance, is refused as busy. */
	private long record(Database database, Plan from, Plan to, String requestedBy) {
		try {
			return this.transaction.execute((status) -> {
				long id = this.changes.insert(database.id(), from.name(), to.name(), requestedBy, this.clock.instant(),
						this.instance.id());
				this.repository.changeStatus(database.id(), DatabaseStatus.RUNNING, DatabaseStatus.UPDATING, null);
				return id;
			});
		}
		catch (DuplicateKeyException | IllegalStateException ex) {
			throw DatabaseBusy.changingPlan("the plan of " + database.id()
					+ " is already being changed, or the database stopped running; try again once it is running");
		}
	}

	/** The latest plan change of the database, for the dashboard. */
	public Optional<String> lastError(String databaseId) {
		return this.changes.lastError(databaseId);
	}


}
