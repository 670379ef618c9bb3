package io.coffer.web;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.coffer.backup.FinalBackups;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.engine.EngineUpgrades;
import io.coffer.engine.EngineVersion;
import io.coffer.provision.DatabaseProvisioning;
import io.coffer.provision.DatabaseRegistration;
import io.coffer.node.DatabaseStats;
import io.coffer.planchange.PlanChanges;
import io.coffer.provision.RegisterRequest;
import io.coffer.redisconfig.ConfigChanges;
import io.coffer.system.InvalidRequest;
import io.coffer.system.ServiceProperties;
import io.coffer.system.RequestedBy;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/databases")
class DatabaseController {

	private final DatabaseRepository databases;

	private final DatabaseRegistration registration;

	private final DatabaseProvisioning provisioning;

	private final DatabaseStats stats;

	private final ConfigChanges configChanges;

	private final PlanChanges planChanges;

	private final ServiceProperties service;

	private final EngineUpgrades engineUpgrades;

	private final FinalBackups finalBackups;

	DatabaseController(DatabaseRepository databases, DatabaseRegistration registration,
			DatabaseProvisioning provisioning, DatabaseStats stats, ConfigChanges configChanges,
			PlanChanges planChanges, ServiceProperties service, EngineUpgrades engineUpgrades,
			FinalBackups finalBackups) {
		this.finalBackups = finalBackups;
		this.engineUpgrades = engineUpgrades;
		this.databases = databases;
		this.registration = registration;
		this.provisioning = provisioning;
		this.stats = stats;
		this.configChanges = configChanges;
		this.planChanges = planChanges;
		this.service = service;
	}

	record CreateRequest(
			@NotBlank(message = "is required") @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,46}[a-z0-9]", message = "must be 2 to 48 lower-case letters, digits and dashes") String app,
			String plan, @Valid RegisterRequest register, String engine, String version) {
	}

	/**
	 * Registers an existing Redis ({@code register}), or provisions one from a {@code plan}. A provisioned
	 * database is answered at once, {@code provisioning}, with its REDIS_URL and token (as the platform
	 * does); it becomes {@code running} when its nodes answer, or {@code error} with {@code status_reason}.
	 */
	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	DatabaseView create(Caller caller, @Valid @RequestBody CreateRequest request) {
		caller.requireOperator();
		if (request.register() != null && request.plan() != null) {
			throw new InvalidRequest("send either \"plan\" to provision a database or \"register\" to "
					+ "register an existing one, not both");
		}
		if (request.register() != null && (request.engine() != null || request.version() != null)) {
			throw new InvalidRequest("a registered database runs the engine it runs: send \"engine\" and "
					+ "\"version\" only with \"plan\"");
		}
		if (request.register() != null) {
			DatabaseRegistration.Registered registered = this.registration.register(request.app(), request.register());
			return view(registered.database(), registered.token());
		}
		if (request.plan() == null || request.plan().isBlank()) {
			throw new InvalidRequest("send \"plan\" (GET /api/v1/plans lists them) to provision a database, "
					+ "or \"register\" with the nodes of an existing one");
		}
		DatabaseProvisioning.Provisioned provisioned = this.provisioning.provision(request.app(), request.plan(),
				request.engine(), request.version());
		return view(provisioned.database(), provisioned.token());
	}

	/** The deleted database, and the id of the backup taken just before ({@code null} when none was asked). */
	record DeletedDatabaseView(@JsonUnwrapped DatabaseView database,
			@JsonInclude(JsonInclude.Include.ALWAYS) String finalBackup) {
	}

	/**
	 * Deletes the database: first, while it runs, a final backup (unless {@code ?final_backup=false}), waited
	 * for; only once it is done are a provisioned database's nodes stopped and removed. A failed final backup
	 * deletes nothing. Backups stay.
	 */
	@DeleteMapping("/{db}")
	DeletedDatabaseView delete(Caller caller, @PathVariable String db,
			@RequestParam(name = "final_backup", defaultValue = "true") boolean finalBackup) {
		caller.requireAccess(db);
		// what would refuse the deletion is said before a final backup is taken for nothing
		this.provisioning.refuseDeletionNow(db);
		Database database = this.databases.findLive(db).orElseThrow(() -> new DatabaseNotFound(db));
		String finalBackupId = null;
		// only a running database serves data to back up: one in error (its provisioning failed, or a deletion
		// left nodes behind) has no node to read, and must stay deletable
		if (finalBackup && DatabaseStatus.RUNNING.equals(database.status())) {
			finalBackupId = this.finalBackups.take(db).id();
		}
		return new DeletedDatabaseView(view(this.provisioning.deprovision(db), null), finalBackupId);
	}

	@GetMapping("/{db}/stats")
	DatabaseStats.Stats stats(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		Database database = this.databases.findLive(db).orElseThrow(() -> new DatabaseNotFound(db));
		return this.stats.of(database);
	}

	@GetMapping
	List<DatabaseView> list(Caller caller) {
		return this.databases.findAllLive()
			.stream()
			.filter((database) -> caller.mayAccess(database.id()))
			.map((database) -> view(database, null))
			.toList();
	}

	@GetMapping("/{db}")
	DatabaseView get(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		Database database = this.databases.findLive(db).orElseThrow(() -> new DatabaseNotFound(db));
		EngineUpgrades.Availability engine = this.engineUpgrades.availability(database);
		DatabaseView view = view(database, null).withEngine(engine,
				(engine.version() == null) ? runningEngine(database) : null);
		if (!DatabaseStatus.RUNNING.equals(database.status())) {
			return view.withConfig(null, "the database is " + database.status() + ": its configuration cannot be read");
		}
		try {
			return view.withConfig(this.configChanges.effective(database), null);
		}
		catch (RuntimeException ex) {
			return view.withConfig(null, "the configuration could not be read from the primary: " + ex.getMessage());
		}
	}

	/**
	 * What {@code PATCH /config}, {@code POST /plan} and {@code POST /upgrade} answer: the job making the
	 * change, to follow at {@code /api/v1/jobs/{job}}.
	 */
	record ConfigJobView(long job, String status) {

		static ConfigJobView of(JobExecution execution) {
			return new ConfigJobView(execution.getId(), execution.getStatus().name().toLowerCase(Locale.ROOT));
		}

	}

	/**
	 * Changes Redis settings ({@code rdb}, {@code aof}, {@code cache_mode}, {@code timeout}) on every data
	 * node of the database, in the background.
	 */
	@PatchMapping("/{db}/config")
	@ResponseStatus(HttpStatus.ACCEPTED)
	ConfigJobView changeConfig(Caller caller, @PathVariable String db, @RequestBody(required = false) Map<String, Object> settings) {
		caller.requireAccess(db);
		return ConfigJobView.of(this.configChanges.request(db, settings, RequestedBy.of(caller.isOperator())));
	}

	/**
	 * Moves a provisioned database to another plan ({@code {"plan": "redis-business-1024"}}), in the
	 * background; the job is followed at {@code /api/v1/jobs/{job}} and the database is {@code updating}
	 * meanwhile.
	 */
	@PostMapping("/{db}/plan")
	@ResponseStatus(HttpStatus.ACCEPTED)
	ConfigJobView changePlan(Caller caller, @PathVariable String db, @RequestBody(required = false) Map<String, Object> body) {
		caller.requireAccess(db);
		return ConfigJobView.of(this.planChanges.request(db, body, RequestedBy.of(caller.isOperator())));
	}

	/**
	 * Upgrades the database's engine to {@code version}, in the background: 202 with the job, to follow at
	 * {@code /api/v1/jobs/{job}}.
	 */
	@PostMapping("/{db}/upgrade")
	@ResponseStatus(HttpStatus.ACCEPTED)
	ConfigJobView upgrade(Caller caller, @PathVariable String db, @RequestBody(required = false) Map<String, Object> body) {
		caller.requireAccess(db);
		return ConfigJobView.of(this.engineUpgrades.request(db, body, RequestedBy.of(caller.isOperator())));
	}

	/** What the primary of a database whose engine Coffer did not choose reports it runs; null when it does not answer. */
	private EngineVersion runningEngine(Database database) {
		if (!DatabaseStatus.RUNNING.equals(database.status())) {
			return null;
		}
		try {
			return EngineVersion.fromInfo(this.configChanges.serverInfo(database));
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private DatabaseView view(Database database, String token) {
		return DatabaseView.of(database, this.service.platformPrefix(), token,
				this.provisioning.redisUrl(database).orElse(null),
				this.provisioning.statusReason(database.id()).orElse(null));
	}

}
