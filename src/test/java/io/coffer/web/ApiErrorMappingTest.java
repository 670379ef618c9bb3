package io.coffer.web;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.coffer.pitr.PointInTimeRecovery;
import io.coffer.storage.CopyStore;
import io.coffer.backup.BackupImporter;
import io.coffer.backup.BackupLauncher;
import io.coffer.backup.FinalBackupFailed;
import io.coffer.backup.FinalBackupPending;
import io.coffer.backup.FinalBackups;
import io.coffer.backup.ImportFailed;
import io.coffer.backup.ImportLengthUnknown;
import io.coffer.backup.ImportRefused;
import io.coffer.backup.ImportTooLarge;
import io.coffer.catalog.BackupInProgress;
import io.coffer.catalog.BackupNotDone;
import io.coffer.catalog.BackupNotFound;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseBusy;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseNotRunning;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.NoNodes;
import io.coffer.catalog.RestoreInProgress;
import io.coffer.catalog.RestoreRepository;
import io.coffer.catalog.TokenRepository;
import io.coffer.engine.EngineUnavailable;
import io.coffer.engine.EngineUpgradeRefused;
import io.coffer.engine.EngineUpgrades;
import io.coffer.keyring.KeyInUse;
import io.coffer.keyring.KeyNotFound;
import io.coffer.keyring.KeyringUnwritable;
import io.coffer.node.DatabaseStats;
import io.coffer.node.PlanCatalogue;
import io.coffer.node.PlanUnavailable;
import io.coffer.node.PoolExhausted;
import io.coffer.node.UnknownPlan;
import io.coffer.planchange.PlanChangeRefused;
import io.coffer.planchange.PlanChanges;
import io.coffer.provision.DatabaseExists;
import io.coffer.provision.DatabaseProvisioning;
import io.coffer.provision.DatabaseRegistration;
import io.coffer.provision.ProvisioningFailed;
import io.coffer.provision.RegistrationRefused;
import io.coffer.redis.RedisUnavailable;
import io.coffer.redisconfig.ConfigChanges;
import io.coffer.redisconfig.NoMemoryLimit;
import io.coffer.restore.RestoreLauncher;
import io.coffer.restore.RestoreRefused;
import io.coffer.pitr.PointInTimeRefused;
import io.coffer.schedule.BackupScheduleService;
import io.coffer.schedule.JobNotFound;
import io.coffer.schedule.ScheduleRefused;
import io.coffer.schedule.ServiceJobs;
import io.coffer.storage.BlobStoreException;
import io.coffer.storage.StorageUnavailable;
import io.coffer.system.AdminToken;
import io.coffer.system.CofferException;
import io.coffer.system.InvalidRequest;
import io.coffer.system.JobNotStarted;
import io.coffer.tls.TlsNotSupported;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.batch.core.repository.JobRepository;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The web layer alone: what each domain exception is answered with, and what malformed requests get
 * before any service is asked. The services are stand-ins here; the end-to-end tests run them for real.
 */
@WebMvcTest(controllers = { BackupController.class, BackupScheduleController.class, DatabaseController.class,
		JobController.class, RestoreController.class })
@Import(WebSliceSettings.class)
class ApiErrorMappingTest {

	private static final String OPERATOR = "Bearer operator-token";

	private static final String TENANT = "Bearer cft_tenant";

	@Autowired
	private MockMvc mvc;

	@MockitoBean
	private AdminToken adminToken;

	@MockitoBean
	private CopyStore copyStore;

	@MockitoBean
	private TokenRepository tokens;

	@MockitoBean
	private DatabaseRepository databases;

	@MockitoBean
	private BackupRepository backups;

	@MockitoBean
	private BackupLauncher launcher;

	@MockitoBean
	private BackupImporter importer;

	@MockitoBean
	private DatabaseRegistration registration;

	@MockitoBean
	private DatabaseProvisioning provisioning;

	@MockitoBean
	private DatabaseStats stats;

	@MockitoBean
	private ConfigChanges configChanges;

	@MockitoBean
	private PlanChanges planChanges;

	@MockitoBean
	private EngineUpgrades engineUpgrades;

	@MockitoBean
	private FinalBackups finalBackups;

	@MockitoBean
	private ServiceJobs serviceJobs;

	@MockitoBean
	private JobRepository jobRepository;

	@MockitoBean
	private RestoreRepository restores;

	@MockitoBean
	private RestoreLauncher restoreLauncher;

	@MockitoBean
	private BackupScheduleService schedules;

	@MockitoBean
	private PlanCatalogue plans;

	@MockitoBean
	private PointInTimeRecovery pointInTimeRecovery;

	@BeforeEach
	void tokens() {
		given(this.adminToken.matches(anyString())).willReturn(false);
		given(this.adminToken.matches("operator-token")).willReturn(true);
		given(this.tokens.databaseOf(anyString())).willReturn(Optional.empty());
		given(this.tokens.databaseOf("cft_tenant")).willReturn(Optional.of("their-app-1234"));
	}

	static Stream<Arguments> domainExceptions() {
		return Stream.of(
				answer(new InvalidRequest("send \"plan\""), 400, "invalid_request"),
				answer(new DatabaseNotFound("my-app-3030"), 404, "not_found", "database my-app-3030 was not found"),
				answer(DatabaseNotFound.ofApp("shop"), 404, "not_found", "a database of app shop was not found"),
				answer(new BackupNotFound("20231207000608"), 404, "not_found", "backup 20231207000608 was not found"),
				answer(BackupNotFound.noGoodBackup("my-app-3030 has no done backup"), 404, "no_backup"),
				answer(new KeyNotFound("key k2"), 404, "not_found", "key k2 was not found"),
				answer(new JobNotFound("job nope"), 404, "not_found", "job nope was not found"),
				answer(new BackupInProgress("a backup of my-app-3030 is already running"), 409, "backup_in_progress"),
				answer(new RestoreInProgress("a restore into my-app-3030 is in progress"), 409, "restore_in_progress"),
				answer(DatabaseBusy.working("an engine upgrade is in progress"), 409, "database_busy"),
				answer(DatabaseBusy.provisioning("still being provisioned"), 409, "database_provisioning"),
				answer(DatabaseBusy.updating("its plan is being changed"), 409, "database_updating"),
				answer(DatabaseBusy.changingPlan("a plan change runs"), 409, "plan_change_in_progress"),
				answer(DatabaseBusy.upgrading("an upgrade runs"), 409, "upgrade_in_progress"),
				answer(new DatabaseNotRunning("database my-app-3030 is error"), 409, "database_not_running"),
				answer(new BackupNotDone("backup b is running"), 409, "backup_not_done"),
				answer(new KeyInUse("key k1 still wraps"), 409, "key_in_use"),
				answer(DatabaseExists.forApp("shop"), 409, "app_has_database", "the app shop already has a database"),
				answer(DatabaseExists.withId("shop-1234"), 409, "database_exists",
						"a database with the id shop-1234 already exists"),
				answer(new JobNotStarted("the plan change", new IllegalStateException("already running")), 409,
						"job_not_started", "the plan change could not start: already running"),
				answer(new UnknownPlan("there is no plan named x"), 422, "unknown_plan"),
				answer(new PlanUnavailable("the static driver cannot"), 422, "plan_unavailable"),
				answer(new PoolExhausted("every node of the static pool is in use"), 422, "pool_exhausted"),
				answer(new NoNodes("database d has no node"), 422, "no_nodes"),
				answer(new PlanChangeRefused("plan_too_small", "used 9 MB"), 422, "plan_too_small"),
				answer(new EngineUnavailable("valkey 99 is not offered"), 422, "engine_unavailable"),
				answer(new EngineUpgradeRefused("upgrade_refused", "no downgrade"), 422, "upgrade_refused"),
				answer(new ScheduleRefused("invalid_every_hours", "every 5 hours"), 422, "invalid_every_hours"),
				answer(new NoMemoryLimit("no maxmemory"), 422, "no_memory_limit"),
				answer(new TlsNotSupported("a registered database"), 422, "tls_not_supported"),
				answer(new RestoreRefused("target_not_empty", "holds 3 keys"), 422, "target_not_empty"),
				answer(new PointInTimeRefused(PointInTimeRefused.OUTSIDE_WINDOW, "its recoverable window is from a to b"),
						422, "outside_recoverable_window"),
				answer(new PointInTimeRefused(PointInTimeRefused.IN_GAP, "it falls in a gap from a to b"), 422,
						"in_recoverable_gap"),
				answer(new RegistrationRefused("not_redis", "127.0.0.1:1 is not a Redis server"), 422, "not_redis"),
				answer(new ImportRefused("invalid_rdb", "offset 9: bad"), 422, "invalid_rdb"),
				answer(new FinalBackupFailed("the final backup failed"), 422, "final_backup_failed"),
				answer(new ImportLengthUnknown("send the dump with a Content-Length"), 411, "length_required"),
				answer(new ImportTooLarge("the dump is 9 bytes"), 413, "dump_too_large"),
				answer(new RedisUnavailable("redis_unreachable", "the primary does not answer", null), 503,
						"redis_unreachable"),
				answer(new KeyringUnwritable("the keyring file could not be changed", null), 503, "keyring_unwritable"),
				answer(new ProvisioningFailed("deprovision_failed", "left nodes behind", null), 503,
						"deprovision_failed"),
				answer(new FinalBackupPending("still running"), 503, "final_backup_pending"),
				answer(new ImportFailed("the import failed unexpectedly; nothing was kept", new IllegalStateException()),
						500, "internal_error"));
	}

	private static Arguments answer(CofferException thrown, int status, String code) {
		return answer(thrown, status, code, thrown.getMessage());
	}

	private static Arguments answer(CofferException thrown, int status, String code, String message) {
		return Arguments.of(thrown, status, code, message);
	}

	@ParameterizedTest(name = "{2} is {1}")
	@MethodSource("domainExceptions")
	void eachDomainExceptionIsItsStatusWithItsCodeAndSentence(CofferException thrown, int status, String code,
			String message) throws Exception {
		given(this.launcher.launch("my-app-3030", "manual")).willThrow(thrown);
		this.mvc.perform(post("/api/v1/databases/my-app-3030/backups").header("Authorization", OPERATOR))
			.andExpect(status().is(status))
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.error").value(code))
			.andExpect(jsonPath("$.message").value(message))
			.andExpect(jsonPath("$.length()").value(2));
	}

	@Test
	void aStorageFailureNamesNoEndpointBucketOrKey() throws Exception {
		given(this.launcher.launch("my-app-3030", "manual")).willThrow(
				new StorageUnavailable(new BlobStoreException("http://minio:9000 bucket coffer key my-app/x refused")));
		this.mvc.perform(post("/api/v1/databases/my-app-3030/backups").header("Authorization", OPERATOR))
			.andExpect(status().isServiceUnavailable())
			.andExpect(jsonPath("$.error").value("storage_unavailable"))
			.andExpect(jsonPath("$.message").value("the backup storage cannot be reached just now; try again shortly"));
	}

	@Test
	void withoutATokenNothingIsAskedAndTheAnswerIs401() throws Exception {
		this.mvc.perform(post("/api/v1/databases/my-app-3030/backups"))
			.andExpect(status().isUnauthorized())
			.andExpect(jsonPath("$.error").value("unauthorized"));
		verifyNoInteractions(this.launcher);
	}

	@Test
	void anotherDatabasesTokenGetsTheAnswerOfADatabaseThatDoesNotExist() throws Exception {
		this.mvc.perform(post("/api/v1/databases/my-app-3030/backups").header("Authorization", TENANT))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.error").value("not_found"))
			.andExpect(jsonPath("$.message").value("database my-app-3030 was not found"));
		verifyNoInteractions(this.launcher);
	}

	@Test
	void anOperatorOnlyCallIs403ForADatabasesToken() throws Exception {
		this.mvc.perform(post("/api/v1/databases").header("Authorization", TENANT)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"app\": \"shop\", \"plan\": \"redis-starter-128\"}"))
			.andExpect(status().isForbidden())
			.andExpect(jsonPath("$.error").value("operator_only"));
		verifyNoInteractions(this.provisioning);
	}

	@Test
	void malformedJsonIs400() throws Exception {
		this.mvc.perform(post("/api/v1/databases").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"app\": \"shop\", "))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value("the request body is not valid JSON for this call"));
		verifyNoInteractions(this.provisioning);
	}

	@Test
	void anUnknownFieldIs400NamingItAndWhatTheCallTakes() throws Exception {
		this.mvc.perform(post("/api/v1/databases").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"app\": \"shop\", \"plan\": \"redis-starter-128\", \"colour\": \"blue\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value(
					"unknown field \"colour\"; this call takes app, engine, plan, register, version"));
		verifyNoInteractions(this.provisioning);
	}

	@Test
	void aFieldThatBreaksItsConstraintIs400NamingIt() throws Exception {
		this.mvc.perform(post("/api/v1/databases").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"app\": \"Shop!\", \"plan\": \"redis-starter-128\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value("app must be 2 to 48 lower-case letters, digits and dashes"));
		verifyNoInteractions(this.provisioning);
	}

	@Test
	void aRequestTheControllerRefusesItselfIs400WithItsSentence() throws Exception {
		this.mvc.perform(post("/api/v1/databases").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"app\": \"shop\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value("send \"plan\" (GET /api/v1/plans lists them) to provision a "
					+ "database, or \"register\" with the nodes of an existing one"));
		verifyNoInteractions(this.provisioning);
	}

	@Test
	void aBodyOfAnotherTypeIs415SayingWhatTheCallTakes() throws Exception {
		this.mvc.perform(post("/api/v1/databases").header("Authorization", OPERATOR)
			.contentType(MediaType.TEXT_PLAIN)
			.content("app=shop"))
			.andExpect(status().isUnsupportedMediaType())
			.andExpect(jsonPath("$.error").value("unsupported_media_type"));
	}

	@Test
	void aMethodTheResourceDoesNotTakeIs405() throws Exception {
		this.mvc.perform(put("/api/v1/databases/my-app-3030/backups").header("Authorization", OPERATOR))
			.andExpect(status().isMethodNotAllowed())
			.andExpect(jsonPath("$.error").value("method_not_allowed"))
			.andExpect(jsonPath("$.message").value("PUT is not allowed here"));
	}

	@Test
	void anIdThatIsNoNumberWhereOneIsExpectedIs400() throws Exception {
		this.mvc.perform(get("/api/v1/jobs/99999999999999999999").header("Authorization", OPERATOR))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value("invalid value for execution"));
		verifyNoInteractions(this.jobRepository);
	}

	@Test
	void anUnknownJobExecutionIs404() throws Exception {
		this.mvc.perform(get("/api/v1/jobs/42").header("Authorization", OPERATOR))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.error").value("not_found"))
			.andExpect(jsonPath("$.message").value("job execution 42 was not found"));
	}

	@Test
	void aTenantNamingAnotherDatabaseAsItsRestoreTargetGetsTheAnswerOfOneThatDoesNotExist() throws Exception {
		given(this.databases.findLive("their-app-1234")).willReturn(Optional.of(database("their-app-1234")));
		this.mvc.perform(post("/api/v1/databases/their-app-1234/restores").header("Authorization", TENANT)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"target\": \"new_database\", \"target_database\": \"my-app-3030\"}"))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.error").value("not_found"))
			.andExpect(jsonPath("$.message").value("database my-app-3030 was not found"));
		verifyNoInteractions(this.restoreLauncher);
	}

	@Test
	void anUnknownFieldOfARestoreIsNamedInTheBodysOwnSpelling() throws Exception {
		given(this.databases.findLive("my-app-3030")).willReturn(Optional.of(database("my-app-3030")));
		this.mvc.perform(post("/api/v1/databases/my-app-3030/restores").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"backup\": \"latest\", \"targetDatabase\": \"x\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value("unknown field \"targetDatabase\"; this call takes app, at, backup, dry_run, keys, "
					+ "target, target_database, verify_before_load"));
		verifyNoInteractions(this.restoreLauncher);
	}

	@Test
	void aRestoreToAPointInTimeWithABackupOrKeysOrAnUnreadableTimeIs400() throws Exception {
		given(this.databases.findLive("my-app-3030")).willReturn(Optional.of(database("my-app-3030")));
		given(this.restoreLauncher.targetOf(any(), any(), any(), any())).willReturn("my-app-3030");
		for (String body : List.of("{\"at\": \"2026-12-01T14:03:07Z\", \"backup\": \"latest\"}",
				"{\"at\": \"2026-12-01T14:03:07Z\", \"keys\": [\"a:*\"]}")) {
			this.mvc.perform(post("/api/v1/databases/my-app-3030/restores").header("Authorization", OPERATOR)
				.contentType(MediaType.APPLICATION_JSON)
				.content(body))
				.andExpect(status().isBadRequest())
				.andExpect(jsonPath("$.error").value("invalid_request"))
				.andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.containsString("without \"backup\"")));
		}
		this.mvc.perform(post("/api/v1/databases/my-app-3030/restores").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"at\": \"yesterday at noon\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.containsString("is not a point in time")));
		verify(this.restoreLauncher, never()).launchAt(any(), any(), any(), any(), any());
	}

	@Test
	void aRestoreToATimeOutsideTheWindowIs422WithTheWindow() throws Exception {
		given(this.databases.findLive("my-app-3030")).willReturn(Optional.of(database("my-app-3030")));
		given(this.restoreLauncher.targetOf(any(), any(), any(), any())).willReturn("my-app-3030");
		given(this.restoreLauncher.launchAt(any(), any(), any(), any(), any())).willThrow(new PointInTimeRefused(
				PointInTimeRefused.OUTSIDE_WINDOW, "my-app-3030 cannot be recovered to 2026-12-01T14:03:07.250Z: its"
						+ " recoverable window is from 2026-12-02T00:00:00Z to 2026-12-02T10:00:00Z"));
		this.mvc.perform(post("/api/v1/databases/my-app-3030/restores").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"at\": \"2026-12-01T15:03:07.250+01:00\", \"target\": \"in_place\"}"))
			.andExpect(status().is(422))
			.andExpect(jsonPath("$.error").value("outside_recoverable_window"))
			.andExpect(jsonPath("$.message").value(org.hamcrest.Matchers.containsString(
					"from 2026-12-02T00:00:00Z to 2026-12-02T10:00:00Z")));
		verify(this.restoreLauncher).launchAt("my-app-3030", Instant.parse("2026-12-01T14:03:07.250Z"), "in_place",
				"my-app-3030", null);
	}

	@Test
	void aValueOfTheWrongTypeIs400() throws Exception {
		this.mvc.perform(put("/api/v1/databases/my-app-3030/backup-schedule").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"enabled\": true, \"hour_utc\": \"three\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.error").value("invalid_request"))
			.andExpect(jsonPath("$.message").value("the request body is not valid JSON for this call"));
		verifyNoInteractions(this.schedules);
	}

	@Test
	void aScheduleThePlanRefusesIs422WithTheServicesCode() throws Exception {
		given(this.databases.findLive("my-app-3030")).willReturn(Optional.of(database("my-app-3030")));
		given(this.schedules.update(any(), any(), any(), any(), any(), any())).willThrow(
				new ScheduleRefused("every_hours_not_in_plan", "plan redis-starter-16 backs up every 24 hours"));
		this.mvc.perform(put("/api/v1/databases/my-app-3030/backup-schedule").header("Authorization", OPERATOR)
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"enabled\": true, \"every_hours\": 6}"))
			.andExpect(status().is(422))
			.andExpect(jsonPath("$.error").value("every_hours_not_in_plan"))
			.andExpect(jsonPath("$.message").value("plan redis-starter-16 backs up every 24 hours"));
	}

	private static Database database(String id) {
		return new Database(id, id.substring(0, id.lastIndexOf('-')), "redis-starter-16", "provisioned",
				DatabaseStatus.RUNNING, "stream", null, true, null, Instant.EPOCH, List.of());
	}

	@Test
	void anUnexpectedFailureIs500WithoutItsStackTrace() throws Exception {
		given(this.launcher.launch(any(), any())).willThrow(new IllegalStateException("secret detail"));
		String body = this.mvc.perform(post("/api/v1/databases/my-app-3030/backups").header("Authorization", OPERATOR))
			.andExpect(status().isInternalServerError())
			.andExpect(jsonPath("$.error").value("internal_error"))
			.andReturn()
			.getResponse()
			.getContentAsString();
		assertThat(body).doesNotContain("secret detail").doesNotContain("IllegalStateException");
	}

}
