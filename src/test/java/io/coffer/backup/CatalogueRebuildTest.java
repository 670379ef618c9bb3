package io.coffer.backup;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.cli.CofferCli;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalogue lost two backup rows; their objects are still in the bucket. The rebuild puts the rows
 * back as they were, from the objects alone.
 */
class CatalogueRebuildTest extends IntegrationTest {

	private static final String PASSWORD = "rebuild-secret";

	@Autowired
	private BackupRepository backups;

	@Autowired
	private JdbcClient jdbc;

	@Test
	void lostRowsComeBackFromTheirObjects() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			ApiClient.Response registered = registerDatabase("rebuild-app", PASSWORD, "stream", redis.port());
			String db = registered.text("id");
			String first = backUp(db).path("id").asString();
			String second = backUp(db).path("id").asString();
			Backup firstBefore = this.backups.find(db, first).orElseThrow();
			Backup secondBefore = this.backups.find(db, second).orElseThrow();
			assertThat(firstBefore.status().value()).isEqualTo("done");
			assertThat(secondBefore.status().value()).isEqualTo("done");

			this.jdbc.sql("delete from restores where backup_id in (?, ?)").params(first, second).update();
			this.jdbc.sql("delete from backups where id in (?, ?)").params(first, second).update();
			assertThat(this.backups.findAll(db)).isEmpty();

			assertThat(withToken(registered.text("token")).post("/api/v1/admin/catalogue/rebuild").status())
				.isEqualTo(403);
			ApiClient.Response rebuilt = operator().post("/api/v1/admin/catalogue/rebuild?database=" + db);
			assertThat(rebuilt.status()).as(rebuilt.body()).isEqualTo(200);
			JsonNode report = rebuilt.json();
			assertThat(report.path("rebuilt").findValuesAsString("backup_id")).containsExactlyInAnyOrder(first, second);
			assertThat(report.path("skipped")).isEmpty();

			for (Backup before : List.of(firstBefore, secondBefore)) {
				Backup after = this.backups.find(db, before.id()).orElseThrow();
				assertThat(after).usingRecursiveComparison()
					.comparingOnlyFields("id", "databaseId", "createdAt", "name", "status", "method", "objectKey",
							"archiveSize", "archiveSha256", "storedSize", "storedSha256", "keyId", "redisVersion",
							"rdbVersion", "rdbSize", "keysPerDb", "node.role", "node.host", "node.port")
					.isEqualTo(before);
			}

			// a second run, from the command line, finds nothing left to do; the backups are usable again
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			CofferCli.Console console = new CofferCli.Console(new PrintStream(out, true, StandardCharsets.UTF_8),
					System.err, InputStream.nullInputStream(), Map.of("COFFER_URL", "http://127.0.0.1:" + this.port,
							"COFFER_TOKEN", CofferTestServices.ADMIN_TOKEN),
					Path.of("").toAbsolutePath(), ZoneId.of("UTC"), Clock.systemUTC());
			int exit = CofferCli.commandLine(console).execute("rebuild-catalogue", "--database", db);
			assertThat(exit).isZero();
			assertThat(out.toString(StandardCharsets.UTF_8)).contains("2 already in the catalogue")
				.contains("0 rebuilt, 0 skipped");
			byte[] archive = operator().getBytes("/api/v1/databases/" + db + "/backups/" + second + "/archive").body();
			assertThat((long) archive.length).isEqualTo(secondBefore.archiveSize());
		}
	}

}
