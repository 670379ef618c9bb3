package io.coffer.restore;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup and a restore into the same database wait for each other: the one asked second is refused with
 * a 409 naming the one that runs, whichever comes first, and succeeds once the first is done.
 */
class BackupRestoreOverlapTest extends IntegrationTest {

	private static final String PASSWORD = "overlap-secret";

	@Test
	void aBackupWaitsForARestoreIntoItsDatabase() {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			redis.populate(20_000, "key", 16);
			String db = registerDatabase("overlap-restoring", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			RestoreSupport.slowLoading(redis);

			ApiClient.Response restore = RestoreSupport.start(operator(), db, "{\"backup\": \"" + backupId + "\"}");
			assertThat(restore.status()).as(restore.body()).isEqualTo(202);
			ApiClient.Response backup = operator().post("/api/v1/databases/" + db + "/backups");

			assertThat(backup.status()).as(backup.body()).isEqualTo(409);
			assertThat(backup.text("error")).isEqualTo("restore_in_progress");
			assertThat(backup.text("message"))
				.isEqualTo("a restore into " + db + " is in progress; back it up once it is done");
			// nothing of the refused backup is left to retry or to list
			assertThat(operator().get("/api/v1/databases/" + db + "/backups").json()).hasSize(1);

			JsonNode restored = awaitRestoreFinished(operator(), db, restore.text("id"));
			assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
			assertThat(backUp(db).path("status").asString()).isEqualTo("done");
		}
	}

	@Test
	void aRestoreWaitsForABackupOfItsTargetWhereverTheBackupComesFrom() {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess target = RedisServerProcess.startWithPassword(PASSWORD)) {
			try (Jedis jedis = source.jedis()) {
				jedis.set("from", "source");
			}
			String sourceDb = registerDatabase("overlap-source", PASSWORD, "stream", source.port()).text("id");
			String targetDb = registerDatabase("overlap-target", PASSWORD, "stream", target.port()).text("id");
			String sourceBackup = backUp(sourceDb).path("id").asString();
			String targetBackup = backUp(targetDb).path("id").asString();
			String running;
			// a frozen node holds the target's backup in flight, on a node that answers nothing meanwhile
			target.freeze();
			try {
				ApiClient.Response backup = operator().post("/api/v1/databases/" + targetDb + "/backups");
				assertThat(backup.status()).as(backup.body()).isEqualTo(202);
				running = backup.text("id");

				ApiClient.Response inPlace = RestoreSupport.start(operator(), targetDb,
						"{\"backup\": \"" + targetBackup + "\", \"target\": \"in_place\"}");
				ApiClient.Response intoIt = RestoreSupport.start(operator(), sourceDb,
						"{\"backup\": \"" + sourceBackup + "\", \"target\": \"new_database\", \"target_database\": \""
								+ targetDb + "\"}");

				for (ApiClient.Response refused : new ApiClient.Response[] { inPlace, intoIt }) {
					assertThat(refused.status()).as(refused.body()).isEqualTo(409);
					assertThat(refused.text("error")).isEqualTo("backup_in_progress");
					assertThat(refused.text("message"))
						.isEqualTo("a backup of " + targetDb + " is in progress; restore into it once it is done");
				}
			}
			finally {
				target.thaw();
			}
			assertThat(awaitFinished(operator(), targetDb, running).path("status").asString()).isEqualTo("done");
			ApiClient.Response restore = RestoreSupport.start(operator(), targetDb,
					"{\"backup\": \"" + targetBackup + "\", \"target\": \"in_place\"}");
			assertThat(restore.status()).as(restore.body()).isEqualTo(202);
			assertThat(awaitRestoreFinished(operator(), targetDb, restore.text("id")).path("status").asString())
				.isEqualTo("done");
		}
	}


}
