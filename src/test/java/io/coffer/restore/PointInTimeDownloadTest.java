package io.coffer.restore;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database as of a time, downloaded: a standard archive, streamed without a length, whose dump loads
 * into a redis-server and holds the keys as they were then (written before: there; after: not; changed
 * after: the old value), and whose backup.json says method point_in_time. A time outside the window is 422.
 */
class PointInTimeDownloadTest extends IntegrationTest {

	private static final String PASSWORD = "download-at-secret";

	@TempDir
	Path folder;

	@Test
	void theArchiveAtATimeHoldsTheDatabaseAsItWasThen() throws Exception {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD)) {
			String db = registerDatabase("download-at-" + System.nanoTime() % 100_000, PASSWORD, "stream",
					source.port()).text("id");
			ApiClient operator = operator();
			assertThat(operator.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": true}").status()).isEqualTo(200);
			try {
			// the writes come after the base the archiver takes, so that the time asked is within the window
			await().atMost(Duration.ofSeconds(60)).until(() -> RestoreSupport.hasDoneBase(operator, db));
				Instant at;
				try (Jedis jedis = source.jedis()) {
					for (int n = 0; n < 100; n++) {
						jedis.set("before:" + n, "v" + n);
					}
					jedis.set("changed", "old");
					jedis.select(3);
					jedis.set("in-db3", "yes");
					jedis.select(0);
					at = archivedUpTo(operator, db, jedis);
					jedis.set("changed", "new");
					jedis.set("after", "1");
					jedis.del("before:0");
				}
				ApiClient.Response outside = operator.get("/api/v1/databases/" + db + "/backups/at/"
						+ at.plus(Duration.ofHours(1)) + "/archive");
				assertThat(outside.status()).as(outside.body()).isEqualTo(422);
				assertThat(outside.text("error")).isEqualTo("outside_recoverable_window");
				assertThat(operator.get("/api/v1/databases/" + db + "/backups/at/noon/archive").status()).isEqualTo(400);

				HttpResponse<byte[]> archive = operator.getBytes("/api/v1/databases/" + db + "/backups/at/" + at
						+ "/archive");
				assertThat(archive.statusCode()).as(new String(archive.body())).isEqualTo(200);
				assertThat(archive.headers().firstValue("Content-Length")).as("streamed as it is made").isEmpty();
				assertThat(archive.headers().firstValue("Content-Type")).hasValue("application/gzip");
				Map<String, byte[]> entries = entries(archive.body());
				assertThat(entries.keySet()).containsExactly("dump.rdb", "backup.json");
				JsonNode manifest = JsonMapper.builder().build().readTree(entries.get("backup.json"));
				assertThat(manifest.path("method").asString()).isEqualTo("point_in_time");
				assertThat(Instant.parse(manifest.path("created_at").asString())).isEqualTo(at);
				assertThat(manifest.path("keys_per_db").path("db0").asLong()).isEqualTo(102);
				assertThat(manifest.path("keys_per_db").path("db3").asLong()).isEqualTo(1);

				Path dump = Files.write(this.folder.resolve("dump.rdb"), entries.get("dump.rdb"));
				try (RedisServerProcess loaded = RedisServerProcess.options().loading(dump).start();
						Jedis jedis = loaded.jedis()) {
					assertThat(jedis.get("before:0")).isEqualTo("v0");
					assertThat(jedis.get("before:99")).isEqualTo("v99");
					assertThat(jedis.get("changed")).isEqualTo("old");
					assertThat(jedis.exists("after")).isFalse();
					assertThat(jedis.dbSize()).isEqualTo(102);
					jedis.select(3);
					assertThat(jedis.get("in-db3")).isEqualTo("yes");
				}
			}
			finally {
				operator.put("/api/v1/databases/" + db + "/pitr", "{\"enabled\": false}");
				await().atMost(Duration.ofSeconds(20))
					.until(() -> source.info("replication").get("connected_slaves").equals("0"));
			}
		}
	}

	/**
	 * A time that the archived stream holds every write made so far, and that the writes made after it are
	 * later than: a marker is written, and once a segment with a command stamped after it is uploaded, that
	 * command's arrival ({@code recoverable_to}) is the time (stamps never run ahead of what was sent).
	 */
	static Instant archivedUpTo(ApiClient client, String db, Jedis jedis) {
		jedis.set("marker", "1");
		Instant written = Instant.now();
		await().atMost(Duration.ofSeconds(60)).until(() -> {
			String to = client.get("/api/v1/databases/" + db + "/pitr").json().path("recoverable_to").asString();
			return !to.isEmpty() && Instant.parse(to).isAfter(written);
		});
		return Instant.parse(client.get("/api/v1/databases/" + db + "/pitr").json().path("recoverable_to").asString());
	}

	private static Map<String, byte[]> entries(byte[] archive) throws Exception {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(archive));
				TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
			TarArchiveEntry entry;
			while ((entry = tar.getNextEntry()) != null) {
				entries.put(entry.getName(), tar.readAllBytes());
			}
		}
		return entries;
	}

}
