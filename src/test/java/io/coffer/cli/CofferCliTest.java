package io.coffer.cli;

import java.time.Duration;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.FreePorts;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import redis.clients.jedis.Jedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code coffer} against the running service, as a user runs it. */
class CofferCliTest extends IntegrationTest {

	private static final String PASSWORD = "cli-secret";

	private static RedisServerProcess redis;

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	@TempDir
	Path folder;

	private String app;

	private String databaseId;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
		redis.populate(500, "key", 100);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void register() {
		this.app = "cli-" + Long.toString(System.nanoTime(), 36);
		ApiClient.Response created = operator().post("/api/v1/databases", """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}], "password": "%s"}}
				""".formatted(this.app, redis.port(), PASSWORD));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		this.databaseId = created.text("id");
	}

	@Test
	void aBackupTakenFromTheCommandLineIsListedAsDone() {
		CliRun.Result created = coffer().run("--app", this.app, "backups-create");

		assertThat(created.exitCode()).as(created.toString()).isZero();
		assertThat(created.stdout()).containsPattern("-----> Backup \\S+ started")
			.containsPattern("-----> Backup \\S+ done \\(\\d+(\\.\\d)? kB\\)");
		String backupId = created.stdout().split("\\s+")[2];

		CliRun.Result listed = coffer().run("backups", "--app", this.app);

		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.stdout()).startsWith("+---")
			.containsPattern("\\|\\s+ID\\s+\\|\\s+CREATED AT\\s+\\|\\s+SIZE\\s+\\|\\s+STATUS\\s+\\|")
			.containsPattern("\\| " + backupId + " \\| \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} UTC \\| \\d+(\\.\\d)? kB +\\| done +\\|");
	}

	@Test
	void theDecryptedStoredObjectIsTheCataloguedArchive() throws Exception {
		Backup backup = takeBackup();

		CliRun.Result result = decrypt(backup, CofferTestServices.get().keyring());

		assertThat(result.exitCode()).as(result.stderr()).isZero();
		assertThat(sha256(result.stdoutBytes())).isEqualTo(backup.archiveSha256());
	}

	@Test
	void decryptCheckParsesTheDumpAndSaysOk() throws Exception {
		Backup backup = takeBackup();

		CliRun.Result result;
		try (InputStream stored = this.store.read(backup.objectKey())) {
			result = coffer().stdin(stored)
				.run("decrypt", "--check", "--keyring", CofferTestServices.get().keyring().toString());
		}

		assertThat(result.exitCode()).as(result.stderr()).isZero();
		assertThat(result.stdout()).startsWith("OK: dump.rdb of ").contains("RDB version " + backup.rdbVersion());
	}

	@Test
	void decryptCheckRefusesAnArchiveWhoseDumpIsNotSound() throws Exception {
		byte[] dump = new byte[9 + 200 + 9];
		System.arraycopy("REDIS0010".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, dump, 0, 9);
		for (int i = 9; i < 209; i++) {
			// noise, then the end marker and no checksum (zero): only the structure can tell
			dump[i] = (byte) (i * 31);
		}
		dump[209] = (byte) 0xff;
		java.io.ByteArrayOutputStream archive = new java.io.ByteArrayOutputStream();
		try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
				new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(archive))) {
			org.apache.commons.compress.archivers.tar.TarArchiveEntry entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(
					"dump.rdb");
			entry.setSize(dump.length);
			tar.putArchiveEntry(entry);
			tar.write(dump);
			tar.closeArchiveEntry();
		}
		java.io.ByteArrayOutputStream object = new java.io.ByteArrayOutputStream();
		try (io.coffer.crypto.EncryptingOutputStream encrypting = new io.coffer.crypto.EncryptingOutputStream(object,
				Keyring.load(CofferTestServices.get().keyring()).newest())) {
			encrypting.write(archive.toByteArray());
		}

		CliRun.Result result = coffer().stdin(new ByteArrayInputStream(object.toByteArray()))
			.run("decrypt", "--check", "--keyring", CofferTestServices.get().keyring().toString());

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr()).contains("the archive's dump.rdb is not a sound RDB: offset ");
	}

	@Test
	void aWrongKeyringDecryptsNothingAndSaysWhy() throws Exception {
		Backup backup = takeBackup();
		Path otherKeyring = this.folder.resolve("other-keyring");
		Keyring.generate(otherKeyring);

		CliRun.Result result = decrypt(backup, otherKeyring);

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stdoutBytes()).isEmpty();
		assertThat(result.stderr().strip()).startsWith("coffer: cannot decrypt: the object was encrypted with key")
			.endsWith("(wrong keyring?)");
	}

	@Test
	void aTamperedObjectDecryptsNothing() throws Exception {
		Backup backup = takeBackup();
		byte[] stored;
		try (InputStream in = this.store.read(backup.objectKey())) {
			stored = in.readAllBytes();
		}
		stored[stored.length - 20] ^= 1;

		CliRun.Result result = coffer().stdin(new ByteArrayInputStream(stored))
			.run("decrypt", "--keyring", CofferTestServices.get().keyring().toString());

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stdoutBytes()).isEmpty();
		assertThat(result.stderr()).contains("failed authentication").contains("nothing was written");
	}

	@Test
	void theLatestBackupDownloadsUnderItsOwnName() throws Exception {
		Backup backup = takeBackup();

		CliRun.Result result = coffer().in(this.folder).run("--app", this.app, "backups-download");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.stdout()).isEqualTo(
				"-----> Selected the most recent successful backup\n===> " + backup.name() + "\n");
		assertThat(sha256(Files.readAllBytes(this.folder.resolve(backup.name())))).isEqualTo(backup.archiveSha256());
		assertThat(this.folder.resolve(backup.name() + ".part")).doesNotExist();
	}

	@Test
	void pitrIsTurnedOnShownAndTurnedOff() {
		CliRun.Result on = coffer().run("--app", this.app, "pitr", "enable");
		assertThat(on.exitCode()).as(on.toString()).isZero();
		assertThat(on.stdout()).startsWith("-----> Point-in-time recovery is on\n");

		CliRun.Result status = coffer().run("--app", this.app, "pitr");
		assertThat(status.exitCode()).as(status.toString()).isZero();
		assertThat(status.stdout()).startsWith("-----> Point-in-time recovery is on\n");

		CliRun.Result off = coffer().run("--app", this.app, "pitr", "disable");
		assertThat(off.exitCode()).as(off.toString()).isZero();
		assertThat(off.stdout()).isEqualTo("-----> Point-in-time recovery is off\n");

		CliRun.Result wrong = coffer().run("--app", this.app, "pitr", "pause");
		assertThat(wrong.exitCode()).as(wrong.toString()).isNotZero();
		assertThat(wrong.stderr()).contains("pitr takes enable, disable or status, not \"pause\"");
	}

	@Test
	void envPrintsTheConnectionVariables() {
		CliRun.Result result = coffer().run("--app", this.app, "env");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.stdout()).contains("REDIS_URL=redis://127.0.0.1:" + redis.port() + "\n");
	}

	@Test
	void statsShowsTheContainerFiguresAsThePlatformDoes() {
		CliRun.Result result = coffer().run("--app", this.app, "stats");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.stdout()).containsPattern("\\|\\s+NODE\\s+\\|\\s+CPU\\s+\\|\\s+MEMORY\\s+\\|\\s+SWAP\\s+\\|")
			.contains("| primary 127.0.0.1:" + redis.port() + " ")
			.containsPattern("\\| (\\d+\\.\\d%|not measured yet) +\\| \\d+(\\.\\d+)? (B|KiB|MiB) +\\| not known +\\|")
			.containsPattern("\\| +\\| +\\| Highest: \\d+(\\.\\d+)? (B|KiB|MiB) +\\| +\\|")
			.contains("Coffer does not run this node: memory is what Redis reports, swap is not known.");
	}

	@Test
	void addonsShowsTheDatabase() {
		CliRun.Result result = coffer().run("--app", this.app, "addons");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		// the engine the database runs, as the API names it: the redis-server started here
		ApiClient.Response database = operator().get("/api/v1/databases/" + this.databaseId);
		assertThat(database.text("engine")).isEqualTo("redis");
		assertThat(result.stdout()).contains("| Redis | " + this.databaseId + " | (registered) | running | redis "
				+ database.text("version") + " |");
		assertThat(database.text("version")).matches("\\d+\\.\\d+\\.\\d+");
		assertThat(result.stdout()).contains("| STATUS  |    ENGINE    |");
	}

	@Test
	void addonsUpgradeMovesTheDatabaseToAnotherPlanAndWaits() {
		String app = "cli-upgraded-" + Long.toString(System.nanoTime(), 36);
		String id = provision(app, "redis-starter-256").id();

		CliRun.Result upgraded = coffer().run("--app", app, "addons-upgrade", id, "redis-starter-512");

		assertThat(upgraded.exitCode()).as(upgraded.toString()).isZero();
		assertThat(upgraded.stdout()).contains("-----> Addon " + id + " is moving from redis-starter-256 to redis-starter-512")
			.contains("-----> Addon " + id + " moved to plan redis-starter-512")
			.doesNotContain("has been upgraded")
			// within a family REDIS_URL stays as it was
			.doesNotContain("Modified variables");
		java.net.URI url = java.net.URI.create(operator().get("/api/v1/databases/" + id).json().path("env").path("REDIS_URL").asString());
		try (Jedis jedis = new Jedis(url)) {
			assertThat(jedis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(512L * 1024 * 1024));
		}

		CliRun.Result same = coffer().run("--app", app, "addons-upgrade", id, "redis-starter-512");
		assertThat(same.exitCode()).isEqualTo(1);
		assertThat(same.stderr()).isEqualTo("coffer: database " + id + " is already on plan redis-starter-512\n");
		CliRun.Result registered = coffer().run("--app", this.app, "addons-upgrade", this.databaseId, "redis-starter-2048");
		assertThat(registered.exitCode()).isEqualTo(1);
		assertThat(registered.stderr()).contains("is registered: it has no plan to change");
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void configChangesTheSettingsAndWaitsForTheJob() {
		CliRun.Result changed = coffer().run("--app", this.app, "config", "--timeout", "120", "--rdb", "on");

		assertThat(changed.exitCode()).as(changed.toString()).isZero();
		assertThat(changed.stdout()).contains("-----> Configuration of " + this.databaseId + " is being changed")
			.contains("-----> Configuration of " + this.databaseId + " changed");
		try (Jedis jedis = redis.jedis()) {
			assertThat(jedis.configGet("timeout")).containsEntry("timeout", "120");
			assertThat(jedis.configGet("save")).containsEntry("save", "900 1 300 10 60 10000");
		}

		CliRun.Result tls = coffer().run("--app", this.app, "config", "--force-tls", "on");

		assertThat(tls.exitCode()).isEqualTo(1);
		assertThat(tls.stderr()).contains("is a registered database");
		CliRun.Result ca = coffer().run("--app", this.app, "ca-certificate");
		assertThat(ca.exitCode()).isEqualTo(1);
		assertThat(ca.stderr()).contains("is a registered database");
	}

	@Test
	void plansAreListedAndAnAddonIsProvisionedWithItsUrlAndToken() {
		CliRun.Result plans = coffer().run("addons-plans");
		assertThat(plans.exitCode()).as(plans.toString()).isZero();
		assertThat(plans.stdout()).contains("| redis-starter-1024 ").contains("| redis-business-8192 ");

		String app = "cli-added-" + Long.toString(System.nanoTime(), 36);
		CliRun.Result added = coffer().run("--app", app, "addons-add", "redis-starter-256");

		assertThat(added.exitCode()).as(added.toString()).isZero();
		assertThat(added.stdout()).contains("-----> Addon redis has been provisioned")
			.containsPattern("ID: " + app + "-\\d{4}")
			.containsPattern("REDIS_URL: redis://" + app + "-\\d{4}:[A-Za-z0-9_-]{64}@")
			.contains("Token: cft_");
		String id = added.stdout().lines().filter((line) -> line.contains("ID: ")).findFirst().orElseThrow().split("ID: ")[1].strip();
		await().atMost(Duration.ofSeconds(60)).until(() -> operator().get("/api/v1/databases/" + id).text("status"), "running"::equals);

		CliRun.Result forced = coffer().run("--app", app, "config", "--force-tls", "on");
		assertThat(forced.exitCode()).as(forced.toString()).isZero();
		assertThat(forced.stdout()).contains("-----> Configuration of " + id + " changed");
		CliRun.Result env = coffer().run("--app", app, "env");
		assertThat(env.stdout()).contains("REDIS_URL=rediss://" + id + ":");

		Path ca = this.folder.resolve("ca.pem");
		CliRun.Result saved = coffer().run("--app", app, "ca-certificate", "--output", ca.toString());
		assertThat(saved.exitCode()).as(saved.toString()).isZero();
		assertThat(saved.stdout()).contains("===> " + ca);
		assertThat(ca).content().startsWith("-----BEGIN CERTIFICATE-----")
			.isEqualTo(operator().get("/api/v1/databases/" + id + "/ca-certificate").body());
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isBetween(200, 204);
	}

	@Test
	void theScheduleIsSetInUtcAndShownBack() {
		CliRun.Result set = coffer().run("--app", this.app, "backups-config", "--schedule-at", "4:00 UTC");

		assertThat(set.exitCode()).as(set.toString()).isZero();
		assertThat(set.stdout()).contains("-----> Periodic backups will be done daily at 4:00 UTC");
		ApiClient.Response schedule = operator().get("/api/v1/databases/" + this.databaseId + "/backup-schedule");
		assertThat(schedule.json().path("hour_utc").asInt()).isEqualTo(4);
		assertThat(schedule.json().path("enabled").asBoolean()).isTrue();
	}

	@Test
	void restoreBringsTheLatestBackupBackAndWaitsForIt() {
		try (Jedis jedis = redis.jedis()) {
			jedis.set("restored-by-the-cli", "yes");
		}
		takeBackup();
		try (Jedis jedis = redis.jedis()) {
			jedis.del("restored-by-the-cli");
		}

		CliRun.Result result = coffer().run("--app", this.app, "restore");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.stdout()).contains("started").contains("done");
		try (Jedis jedis = redis.jedis()) {
			assertThat(jedis.get("restored-by-the-cli")).isEqualTo("yes");
		}
	}

	@Test
	void restoreOfSelectedKeysWritesOnlyThemAndADryRunWritesNothing() {
		try (Jedis jedis = redis.jedis()) {
			jedis.set("cli-cart:1", "from the backup");
			jedis.set("cli-session:42", "from the backup");
			jedis.set("cli-other", "from the backup");
		}
		takeBackup();
		try (Jedis jedis = redis.jedis()) {
			jedis.set("cli-cart:1", "changed");
			jedis.del("cli-session:42");
			jedis.set("cli-other", "changed, and kept");
		}

		CliRun.Result dry = coffer().run("--app", this.app, "restore", "--keys", "cli-cart:*,cli-session:42",
				"--dry-run");

		assertThat(dry.exitCode()).as(dry.toString()).isZero();
		assertThat(dry.stdout()).contains("db0: 2 keys would be written; 0 exist with the same value, 1 with another");
		try (Jedis jedis = redis.jedis()) {
			assertThat(jedis.get("cli-cart:1")).isEqualTo("changed");
		}

		CliRun.Result result = coffer().run("--app", this.app, "restore", "--keys", "cli-cart:*,cli-session:42");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.stdout()).contains("db0: 2 keys written");
		try (Jedis jedis = redis.jedis()) {
			assertThat(jedis.get("cli-cart:1")).isEqualTo("from the backup");
			assertThat(jedis.get("cli-session:42")).isEqualTo("from the backup");
			assertThat(jedis.get("cli-other")).isEqualTo("changed, and kept");
		}
		CliRun.Result refused = coffer().run("--app", this.app, "restore", "--keys", "[open");
		assertThat(refused.exitCode()).isEqualTo(1);
		assertThat(refused.stderr()).contains("never closed");
	}

	@Test
	void aServiceThatIsNotThereIsNamed() {
		String url = "http://127.0.0.1:" + FreePorts.next();

		CliRun.Result result = coffer().env("COFFER_URL", url).run("--app", this.app, "backups");

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr().strip()).isEqualTo("coffer: cannot reach Coffer at " + url + ": connection refused");
	}

	@Test
	void aWrongTokenIsRefused() {
		CliRun.Result result = coffer().run("--token", "cft_wrong", "--app", this.app, "backups");

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr().strip()).isEqualTo("coffer: the token was refused: check COFFER_TOKEN");
	}

	@Test
	void anUnknownAppIsNamed() {
		CliRun.Result result = coffer().run("--app", "no-such-app", "backups");

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr().strip()).isEqualTo("coffer: no database for app no-such-app");
	}

	@Test
	void verifyFlagsADamagedBackupAndTheListingShowsIt() throws Exception {
		Backup sound = takeBackup();
		Backup damaged = takeBackup();
		// the stored object loses its last byte
		byte[] stored;
		try (InputStream in = this.store.read(damaged.objectKey())) {
			stored = in.readAllBytes();
		}
		io.coffer.storage.BlobUpload upload = this.store.openUpload(damaged.objectKey());
		upload.write(java.util.Arrays.copyOf(stored, stored.length - 1));
		upload.complete();

		CliRun.Result verified = coffer().run("verify", "--database", this.databaseId);

		assertThat(verified.exitCode()).as(verified.toString()).isEqualTo(1);
		assertThat(verified.stdout()).contains("-----> Verifying the backups of " + this.databaseId)
			.contains("-----> 1 backups verified sound, 1 damaged [" + damaged.id() + "]");
		CliRun.Result listed = coffer().run("backups", "--app", this.app);
		assertThat(listed.stdout()).containsPattern("\\|\\s+STATUS\\s+\\|\\s+VERIFIED\\s+\\|")
			.containsPattern("\\| " + damaged.id() + " \\|.*\\| done +\\| damaged +\\|")
			.containsPattern("\\| " + sound.id() + " \\|.*\\| done +\\| \\w{3}, \\d{2} \\w{3} \\d{4} [\\d:]{8} UTC \\|");
	}

	private Backup takeBackup() {
		CliRun.Result created = coffer().run("--app", this.app, "backups-create");
		assertThat(created.exitCode()).as(created.toString()).isZero();
		String backupId = created.stdout().split("\\s+")[2];
		return this.backups.find(this.databaseId, backupId).orElseThrow();
	}

	private CliRun.Result decrypt(Backup backup, Path keyring) throws Exception {
		try (InputStream stored = this.store.read(backup.objectKey())) {
			return coffer().stdin(stored).run("decrypt", "--keyring", keyring.toString());
		}
	}

	private CliRun coffer() {
		return new CliRun().env("COFFER_URL", "http://127.0.0.1:" + this.port)
			.env("COFFER_TOKEN", CofferTestServices.ADMIN_TOKEN);
	}

}
