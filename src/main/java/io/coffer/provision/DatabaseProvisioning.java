package io.coffer.provision;

import io.coffer.catalog.DatabaseBusy;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.engine.EngineUnavailable;
import io.coffer.node.DatabaseLocks;
import io.coffer.node.DatabaseNodes;
import io.coffer.node.NodeDriver;
import io.coffer.node.NodeDrivers;
import io.coffer.node.NodeRemoval;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import io.coffer.node.Plan;
import io.coffer.node.PlanCatalogue;
import io.coffer.node.PlanUnavailable;
import io.coffer.node.ProcessNodeDriver;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.ManagedNode;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.catalog.TokenRepository;
import io.coffer.crypto.Keyring;
import io.coffer.engine.EngineCatalogue;
import io.coffer.engine.EngineRepository;
import io.coffer.engine.EngineVersion;
import io.coffer.node.UnknownPlan;
import io.coffer.system.CofferException;
import io.coffer.system.CofferInstance;
import io.coffer.backup.BackupProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes databases from plans and deletes them. Provisioning records the database at once (id,
 * password, token, the nodes with their reserved ports: REDIS_URL is known before anything runs),
 * then {@code provisionJob} starts the nodes; the database is {@code provisioning} until they answer.
 */
@Service
public class DatabaseProvisioning {

	private static final Logger log = LoggerFactory.getLogger(DatabaseProvisioning.class);

	private static final SecureRandom random = new SecureRandom();

	private final PlanCatalogue plans;

	private final NodeDrivers drivers;

	private final DatabaseRepository databases;

	private final ProvisioningRepository repository;

	private final NodeRemoval removal;

	private final DatabaseNodes nodes;

	private final TokenRepository tokens;

	private final Keyring keyring;

	private final DatabaseRegistration registration;

	private final ProvisionLauncher launcher;

	private final DatabaseLocks locks;

	private final TransactionTemplate transaction;

	private final BackupProperties backup;

	private final Clock clock;

	private final CofferInstance instance;

	private final DatabaseWork work;

	DatabaseProvisioning(PlanCatalogue plans, NodeDrivers drivers, DatabaseRepository databases,
			ProvisioningRepository repository, NodeRemoval removal, DatabaseNodes nodes, TokenRepository tokens, Keyring keyring,
			DatabaseRegistration registration, ProvisionLauncher launcher, DatabaseLocks locks,
			TransactionTemplate transaction, BackupProperties backup, Clock clock, CofferInstance instance,
			DatabaseWork work, EngineCatalogue engines, EngineRepository engineVersions) {
		this.engines = engines;
		this.engineVersions = engineVersions;
		this.instance = instance;
		this.work = work;
		this.plans = plans;
		this.drivers = drivers;
		this.databases = databases;
		this.repository = repository;
		this.removal = removal;
		this.nodes = nodes;
		this.tokens = tokens;
		this.keyring = keyring;
		this.registration = registration;
		this.launcher = launcher;
		this.locks = locks;
		this.transaction = transaction;
		this.backup = backup;
		this.clock = clock;
	}

	private final EngineCatalogue engines;

	private final EngineRepository engineVersions;

	/** The new database (status {@code provisioning}) and its token, which is shown this once. */
	public record Provisioned(Database database, String token) {
	}

	public Provisioned provision(String app, String planName) {
		return provision(app, planName, null, null);
	}

	/**
	 * Provisions the database on {@code engine} at {@code version} (each null for the catalogue's default,
	 * see {@link EngineCatalogue#choose}).
	 * @throws CofferException {@code EngineUnavailable} for an engine not offered, or asked of a driver whose engine
	 * Coffer does not choose; {@code UnknownPlan}, {@code PlanUnavailable}; {@link DatabaseExists} when the app has one
	 */
	public Provisioned provision(String app, String planName, String engine, String version) {
		Plan plan = this.plans.find(planName)
			.orElseThrow(() -> new UnknownPlan("there is no plan named " + planName + "; GET /api/v1/plans lists them"));
		NodeDriver driver = this.drivers.current();
		driver.refusal(plan).ifPresent((reason) -> {
			throw new PlanUnavailable(reason);
		});
		EngineVersion asked = null;
		if (engine != null || version != null) {
			if (!ProcessNodeDriver.NAME.equals(driver.name())) {
				throw new EngineUnavailable("the " + driver.name() + " driver runs the "
						+ "engine of its own nodes: Coffer chooses none, so \"engine\" and \"version\" cannot be asked");
			}
			try {
				asked = this.engines.choose(engine, version).orElse(null);
			}
			catch (IllegalArgumentException ex) {
				throw new EngineUnavailable(ex.getMessage());
			}
		}
		EngineVersion chosen = asked;
		if (this.databases.liveAppExists(app)) {
			throw DatabaseExists.forApp(app);
		}
		List<ManagedNode> reserved = new ArrayList<>();
		Provisioned provisioned;
		try {
			provisioned = this.transaction.execute((status) -> record(app, plan, driver, reserved, chosen));
		}
		catch (DuplicateKeyException ex) {
			release(driver, reserved);
			throw DatabaseExists.forApp(app);
		}
		catch (RuntimeException ex) {
			release(driver, reserved);
			if (ex instanceof CofferException) {
				throw ex;
			}
			throw new ProvisioningFailed("provisioning_failed",
					"the database could not be recorded: " + ex.getMessage(), ex);
		}
		this.launcher.launch(provisioned.database().id());
		return provisioned;
	}

	private Provisioned record(String app, Plan plan, NodeDriver driver, List<ManagedNode> reserved,
			EngineVersion engine) {
		String id = this.registration.newId(app);
		String password = newPassword();
		boolean sentinels = plan.sentinels() > 0;
		Database database = new Database(id, app, plan.name(), "provisioned", DatabaseStatus.PROVISIONING,
				this.backup.acquisitionMode(), sentinels ? id : null, true, null,
				this.clock.instant(), List.of());
		this.databases.insert(database);
		if (engine != null) {
			// before the nodes are reserved: the driver gives the default only to a database without one
			this.engineVersions.recordIfNone(id, engine.toString());
		}
		this.repository.recordProvisioningInstance(id, this.instance.id());
		this.databases.saveSecret(id, DatabaseRepository.REDIS_PASSWORD, this.keyring.newest().sealText(password));
		for (String name : nodeNames(plan)) {
			NodeDriver.Reservation reservation = driver.reserve(id, name, kindOf(name));
			reserved.add(new ManagedNode(0, id, DatabaseNodes.roleOf(name), reservation.host(), reservation.port(),
					reservation.data()));
			this.repository.addNode(id, DatabaseNodes.roleOf(name), reservation.host(), reservation.port(),
					reservation.data());
		}
		String token = this.tokens.issue(id);
		return new Provisioned(this.databases.findLive(id).orElseThrow(), token);
	}

	/**
	 * Stops and removes the database's nodes, then marks it deleted; its backups stay.
	 * @throws CofferException {@code DatabaseNotFound}; {@code DatabaseBusy} while it is being provisioned
	 */
	public Database deprovision(String databaseId) {
		// said at once: an upgrade holds the database's lock while it runs
		refuseDuringUpgrade(databaseId);
		return this.locks.withLock(databaseId, () -> {
			Database database = this.databases.findLive(databaseId)
				.orElseThrow(() -> new DatabaseNotFound(databaseId));
			refuseDuringWork(database);
			String from = database.status();
			this.work.startExclusively(databaseId, EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE), this::upgradeInProgress,
					(status) -> {
						if (!DatabaseStatus.DELETING.equals(from)) {
							this.repository.changeStatus(databaseId, from, DatabaseStatus.DELETING, null);
						}
						return from;
					});
			List<String> failures = this.removal.removeAll(databaseId);
			if (!failures.isEmpty()) {
				String reason = "deleting left nodes behind: " + String.join("; ", failures);
				this.repository.changeStatus(databaseId, DatabaseStatus.DELETING, DatabaseStatus.ERROR, reason);
				throw new ProvisioningFailed("deprovision_failed",
						reason + "; try again", null);
			}
			this.repository.markDeleted(databaseId, this.clock.instant());
			log.info("Deleted database {}: its nodes are stopped and removed", databaseId);
			return new Database(database.id(), database.app(), database.plan(), database.kind(), DatabaseStatus.DELETED,
					database.acquisitionMode(), database.sentinelMaster(), database.scheduleEnabled(),
					database.scheduleHourUtc(), database.createdAt(), database.nodes());
		});
	}

	/**
	 * Refuses, as {@link #deprovision} would, a deletion that cannot be done now: said before the final
	 * backup is taken, rather than after it.
	 * @throws CofferException {@code DatabaseNotFound}; {@code DatabaseBusy} while it is provisioned, changed or
	 * upgraded
	 */
	public void refuseDeletionNow(String databaseId) {
		refuseDuringUpgrade(databaseId);
		Database database = this.databases.findLive(databaseId)
			.orElseThrow(() -> new DatabaseNotFound(databaseId));
		refuseDuringWork(database);
	}

	private void refuseDuringWork(Database database) {
		if (DatabaseStatus.PROVISIONING.equals(database.status())) {
			throw DatabaseBusy.provisioning(
					"database " + database.id() + " is still being provisioned; delete it once it is running");
		}
		if (DatabaseStatus.UPDATING.equals(database.status())) {
			throw DatabaseBusy.updating(
					"the plan of database " + database.id() + " is being changed; delete it once it is running");
		}
	}

	private void refuseDuringUpgrade(String databaseId) {
		this.work.inFlight(databaseId, EnumSet.of(DatabaseWork.Kind.ENGINE_UPGRADE)).ifPresent((work) -> {
			throw upgradeInProgress(work);
		});
	}

	private DatabaseBusy upgradeInProgress(String work) {
		return DatabaseBusy.working(work + " is in progress; delete the database once it is done");
	}

	/**
	 * The REDIS_URL of a provisioned database, password included: the platform shows it to the app's
	 * owner. Registered databases have none here: their password came from the operator.
	 */
	public Optional<String> redisUrl(Database database) {
		// a deleted database has no nodes left to connect to
		if (!"provisioned".equals(database.kind()) || DatabaseStatus.DELETED.equals(database.status())) {
			return Optional.empty();
		}
		return this.nodes.redisUrl(database.id());
	}

	/** Why the database is in {@code error}, if it is. */
	public Optional<String> statusReason(String databaseId) {
		return this.repository.statusReason(databaseId);
	}

	private void release(NodeDriver driver, List<ManagedNode> reserved) {
		for (ManagedNode node : reserved) {
			try {
				driver.remove(node, null);
			}
			catch (RuntimeException ex) {
				log.warn("Could not release the reservation of {}", node.address(), ex);
			}
		}
	}

	public static List<String> nodeNames(Plan plan) {
		List<String> names = new ArrayList<>();
		names.add(DatabaseNodes.PRIMARY);
		for (int i = 2; i <= plan.nodes(); i++) {
			names.add("redis-" + i);
		}
		for (int i = 1; i <= plan.sentinels(); i++) {
			names.add("sentinel-" + i);
		}
		if (plan.haproxy() > 0) {
			names.add(DatabaseNodes.HAPROXY_LEADER);
		}
		if (plan.haproxy() > 1) {
			names.add(DatabaseNodes.HAPROXY_BACKUP);
		}
		return names;
	}

	/** The driver's kind of a node by its name: {@code redis}, {@code sentinel} or {@code haproxy}. */
	public static String kindOf(String name) {
		return name.startsWith("sentinel") ? ManagedNode.DriverData.SENTINEL
				: name.startsWith("haproxy") ? ManagedNode.DriverData.HAPROXY : ManagedNode.DriverData.REDIS;
	}

	/** 64 URL-safe characters (384 random bits): safe in a URL, a config file and an HAProxy check. */
	static String newPassword() {
		byte[] bytes = new byte[48];
		random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

}
