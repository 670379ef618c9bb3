package io.coffer.restore;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target loads the dump straight from the socket where that is safe, says so in the restore's
 * {@code load}, and has its own {@code repl-diskless-load} back afterwards, also when the restore fails:
 * a target with data swaps its old dataset out only once the new one loaded whole, an empty one stays empty.
 */
class DisklessRestoreTest extends IntegrationTest {

	private static final String PASSWORD = "diskless-restore-secret";

	@Autowired
	BackupRepository backups;

	@Autowired
	JdbcClient jdbc;

	@Test
	void aTargetWithDataLoadsWithSwapdbAndGetsItsSettingBack() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String expected = redis.digest();
			String db = registerDatabase("diskless-swapdb", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			try (Jedis jedis = redis.jedis()) {
				jedis.set("current", "data");
			}

			JsonNode finished = restore(db, backupId);

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			assertThat(finished.path("load").asString()).isEqualTo(DisklessLoad.DISKLESS_SWAPDB);
			assertThat(finished.path("checks").path("load").path("load").asString())
				.isEqualTo(DisklessLoad.DISKLESS_SWAPDB);
			assertThat(redis.digest()).isEqualTo(expected);
			assertThat(redis.logTail(200)).contains("to parser").doesNotContain("to disk");
			assertThat(setting(redis)).isEqualTo("disabled");
		}
	}

	@Test
	void anEmptyTargetLoadsOnEmptyDbAndGetsItsOwnSettingBack() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			String expected = redis.digest();
			String db = registerDatabase("diskless-empty", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
				jedis.configSet(DisklessLoad.SETTING, "swapdb");
			}

			JsonNode finished = restore(db, backupId);

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			assertThat(finished.path("load").asString()).isEqualTo(DisklessLoad.DISKLESS_EMPTY);
			assertThat(redis.digest()).isEqualTo(expected);
			assertThat(setting(redis)).isEqualTo("swapdb");
		}
	}

	@Test
	void aFailedSwapdbLoadLeavesTheTargetItsDataAndItsSetting() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			writeIncompressible(redis);
			String db = registerDatabase("diskless-swapdb-fails", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			wrongArchiveDigest(db, backupId);
			try (Jedis jedis = redis.jedis()) {
				jedis.set("current", "data");
			}
			String before = redis.digest();

			JsonNode finished = restore(db, backupId);

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("error");
			assertThat(finished.path("error").asString()).contains("SHA-256");
			// the target received all but the held-back bytes into its parser, and kept its own data
			assertThat(redis.logTail(200)).contains("to parser");
			assertThat(redis.digest()).isEqualTo(before);
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
			assertThat(setting(redis)).isEqualTo("disabled");
		}
	}

	@Test
	void aFailedLoadIntoAnEmptyTargetLeavesItEmptyWithItsSetting() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(redis);
			writeIncompressible(redis);
			String db = registerDatabase("diskless-empty-fails", PASSWORD, "stream", redis.port()).text("id");
			String backupId = backUp(db).path("id").asString();
			wrongArchiveDigest(db, backupId);
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
			}

			JsonNode finished = restore(db, backupId);

			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("error");
			try (Jedis jedis = redis.jedis()) {
				assertThat(jedis.dbSize()).isZero();
			}
			assertThat(redis.info("replication").get("role")).isEqualTo("master");
			assertThat(setting(redis)).isEqualTo("disabled");
		}
	}

	/** Random values, which do not compress: the archive spans several encrypted segments, read one by one. */
	private static void writeIncompressible(RedisServerProcess redis) {
		try (Jedis jedis = redis.jedis()) {
			java.util.Random random = new java.util.Random(7);
			for (int i = 0; i < 48; i++) {
				byte[] value = new byte[64 * 1024];
				random.nextBytes(value);
				jedis.set(("random:" + i).getBytes(), value);
			}
		}
	}

	private JsonNode restore(String db, String backupId) {
		ApiClient.Response launched = RestoreSupport.start(operator(), db, "{\"backup\": \"" + backupId + "\"}");
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		return awaitRestoreFinished(operator(), db, launched.text("id"));
	}

	/** The catalogue's SHA-256 of the archive no longer its own: found only at the archive's very end. */
	private void wrongArchiveDigest(String db, String backupId) {
		Backup backup = this.backups.find(db, backupId).orElseThrow();
		this.jdbc.sql("update backups set archive_sha256 = ? where id = ?").params("0".repeat(64), backup.id()).update();
	}

	private static String setting(RedisServerProcess redis) {
		try (Jedis jedis = redis.jedis()) {
			return jedis.configGet(DisklessLoad.SETTING).get(DisklessLoad.SETTING);
		}
	}

}
