package io.coffer.cli;

import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code coffer database-upgrade}: the versions listed, an upgrade waited for, a refusal said as the service says it. */
class EngineVerbsTest extends IntegrationTest {

	@Test
	void listsTheVersionsUpgradesAndSaysWhyADowngradeIsRefused() {
		String app = "cli-engine-" + Long.toString(System.nanoTime(), 36);
		String id = provision(app, "redis-starter-256").id();

		CliRun.Result listed = coffer().run("--app", app, "database-upgrade");
		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.stdout()).contains("-----> " + id + " runs Redis " + TestEngines.INSTALLED)
			.containsPattern("\\| " + TestEngines.NEXT.replace(".", "\\.") + " +\\| available now +\\|")
			.contains("upgrade to " + TestEngines.NEXT + " first")
			.contains("Upgrading means downtime");

		CliRun.Result upgraded = coffer().run("--app", app, "database-upgrade", "--version", TestEngines.NEXT);
		assertThat(upgraded.exitCode()).as(upgraded.toString()).isZero();
		assertThat(upgraded.stdout()).contains("-----> Upgrade of " + id + " to " + TestEngines.NEXT + " started")
			.contains("-----> " + id + " runs " + TestEngines.NEXT);
		assertThat(operator().get("/api/v1/databases/" + id).text("version")).isEqualTo(TestEngines.NEXT);

		CliRun.Result downgrade = coffer().run("--app", app, "database-upgrade", "--version", TestEngines.INSTALLED);
		assertThat(downgrade.exitCode()).isEqualTo(1);
		assertThat(downgrade.stderr()).contains("never downgraded");
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	private CliRun coffer() {
		return new CliRun().env("COFFER_URL", "http://127.0.0.1:" + this.port)
			.env("COFFER_TOKEN", CofferTestServices.ADMIN_TOKEN);
	}

}
