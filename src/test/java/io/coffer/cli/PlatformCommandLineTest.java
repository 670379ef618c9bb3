package io.coffer.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code coffer} typed as the platform's reference types {@code scalingo}: {@code --app my-app --addon redis}
 * before the verb, the addon name before a plan, and the schedule and deletion verbs around them.
 */
class PlatformCommandLineTest extends IntegrationTest {

	private static final String PASSWORD = "platform-secret";

	@Autowired
	BackupRepository backups;

	@TempDir
	Path folder;

	private RedisServerProcess redis;

	private String app;

	private String databaseId;

	@BeforeEach
	void register() {
		this.redis = RedisServerProcess.startWithPassword(PASSWORD);
		this.redis.populate(100, "key", 32);
		this.app = "platform-" + Long.toString(System.nanoTime(), 36);
		this.databaseId = registerDatabase(this.app, PASSWORD, "stream", this.redis.port()).text("id");
	}

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void theReferencesBackupLinesRunAsTheyAreWritten() throws Exception {
		CliRun.Result created = coffer().run("--app", this.app, "--addon", "redis", "backups-create");
		assertThat(created.exitCode()).as(created.toString()).isZero();
		Backup backup = this.backups.findAll(this.databaseId).get(0);

		// scalingo --app my-app --addon redis backups
		CliRun.Result listed = coffer().run("--app", this.app, "--addon", "redis", "backups");
		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.stdout()).contains("| " + backup.id() + " |");

		// scalingo --app my-app --addon redis backups-download
		CliRun.Result latest = coffer().in(this.folder).run("--app", this.app, "--addon", "redis", "backups-download");
		assertThat(latest.exitCode()).as(latest.toString()).isZero();
		assertThat(latest.stdout()).endsWith("===> " + backup.name() + "\n");
		Files.delete(this.folder.resolve(backup.name()));

		// scalingo --app my-app --addon redis backups-download --backup <backup_ID>, and the options after the verb
		CliRun.Result one = coffer().in(this.folder)
			.run("backups-download", "--backup", backup.id(), "--addon", "redis", "--app", this.app);
		assertThat(one.exitCode()).as(one.toString()).isZero();
		assertThat(this.folder.resolve(backup.name())).exists();

		// the database's own ID names the addon as well
		CliRun.Result byId = coffer().run("--app", this.app, "--addon", this.databaseId, "backups");
		assertThat(byId.exitCode()).as(byId.toString()).isZero();
	}

	@Test
	void anAddonThatIsNotTheAppsIsNamed() {
		CliRun.Result result = coffer().run("--app", this.app, "--addon", "postgresql", "backups");

		assertThat(result.exitCode()).isEqualTo(1);
		assertThat(result.stderr().strip()).isEqualTo("coffer: app " + this.app + " has no addon postgresql: its database is "
				+ this.databaseId + " (pass --addon redis or --addon " + this.databaseId + ")");
	}

	@Test
	void plansAreListedForTheRedisAddonAndAnotherAddonIsRefused() {
		// scalingo addons-plans redis
		CliRun.Result plans = coffer().run("addons-plans", "redis");
		assertThat(plans.exitCode()).as(plans.toString()).isZero();
		assertThat(plans.stdout()).contains("| redis-starter-1024 ");

		CliRun.Result other = coffer().run("addons-plans", "mongodb");
		assertThat(other.exitCode()).isEqualTo(1);
		assertThat(other.stderr().strip()).isEqualTo("coffer: there is no addon mongodb here: Coffer offers redis");

		CliRun.Result added = coffer().run("--app", "platform-other", "addons-add", "mysql", "redis-starter-256");
		assertThat(added.exitCode()).isEqualTo(1);
		assertThat(added.stderr().strip()).isEqualTo("coffer: there is no addon mysql here: Coffer offers redis");
	}

	@Test
	void backupsEverySixHoursAreSetAndShownBack() {
		CliRun.Result set = coffer().run("--app", this.app, "--addon", "redis", "backups-config", "--schedule-at",
				"4:00 UTC", "--every-hours", "6");

		assertThat(set.exitCode()).as(set.toString()).isZero();
		assertThat(set.stdout()).isEqualTo("-----> Periodic backups will be done every 6 hours from 4:00 UTC\n");
		CliRun.Result shown = coffer().run("--app", this.app, "backups-config");
		assertThat(shown.stdout()).isEqualTo("-----> Periodic backups are done every 6 hours from 4:00 UTC\n");

		CliRun.Result refused = coffer().run("--app", this.app, "backups-config", "--every-hours", "5");
		assertThat(refused.exitCode()).isEqualTo(1);
		assertThat(refused.stderr()).contains("every_hours must divide a day");
	}

	@Test
	void addonsRemoveTakesAFinalBackupAndSaysSo() {
		CliRun.Result removed = coffer().run("--app", this.app, "addons-remove", this.databaseId);

		assertThat(removed.exitCode()).as(removed.toString()).isZero();
		Backup last = this.backups.findAll(this.databaseId).get(0);
		assertThat(last.method()).isEqualTo(Backup.FINAL);
		assertThat(last.status()).isEqualTo(RunStatus.DONE);
		assertThat(removed.stdout()).isEqualTo("-----> Taking a final backup of " + this.databaseId + " before deleting it\n"
				+ "-----> Final backup " + last.id() + " done: it is kept after the deletion\n"
				+ "-----> Addon " + this.databaseId + " has been deleted\n");
		ApiClient.Response gone = operator().get("/api/v1/databases/" + this.databaseId);
		assertThat(gone.status()).isEqualTo(404);
	}

	@Test
	void addonsRemoveWithoutAFinalBackupDeletesNothingElse() {
		CliRun.Result removed = coffer().run("--app", this.app, "addons-remove", this.databaseId, "--no-final-backup");

		assertThat(removed.exitCode()).as(removed.toString()).isZero();
		assertThat(removed.stdout()).isEqualTo("-----> Addon " + this.databaseId + " has been deleted\n");
		assertThat(this.backups.findAll(this.databaseId)).isEmpty();
	}

	private CliRun coffer() {
		return new CliRun().env("COFFER_URL", "http://127.0.0.1:" + this.port)
			.env("COFFER_TOKEN", CofferTestServices.ADMIN_TOKEN);
	}

}
