package io.coffer.restore;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RdbFiles;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An external dump, as {@code redis-cli --rdb} writes it, imported as a backup (raw and as a .tar.gz),
 * then restored into another, empty database by the ordinary restore job: the data arrives whole. A
 * dump that is not an RDB is refused and leaves nothing behind.
 */
class ImportAndRestoreTest extends IntegrationTest {

	private static final String PASSWORD = "import-secret";

	private static final JsonMapper json = JsonMapper.builder().build();

	@Test
	void anImportedDumpRestoresIntoAnotherDatabase(@TempDir Path folder) throws Exception {
		try (RedisServerProcess source = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess imported = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess copy = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(source);
			Path rdb = RdbFiles.redisCliRdb(source, folder.resolve("dump.rdb"));
			Map<Integer, Map<String, String>> expected = RestoreFaultsTest.snapshot(source);
			String db = registerDatabase("import-into", PASSWORD, "stream", imported.port()).text("id");
			String copyDb = registerDatabase("import-copy", PASSWORD, "stream", copy.port()).text("id");

			HttpResponse<String> raw = upload(db, "application/octet-stream", HttpRequest.BodyPublishers.ofFile(rdb));
			assertThat(raw.statusCode()).as(raw.body()).isEqualTo(201);
			JsonNode rawBackup = json.readTree(raw.body());
			assertThat(rawBackup.path("status").asString()).isEqualTo("done");
			assertThat(rawBackup.path("method").asString()).isEqualTo("import");
			assertThat(rawBackup.path("node").path("role").asString()).isEqualTo("import");

			HttpResponse<String> archive = upload(db, "application/gzip",
					HttpRequest.BodyPublishers.ofByteArray(RestoreSupport.tarGz(Files.readAllBytes(rdb))));
			assertThat(archive.statusCode()).as(archive.body()).isEqualTo(201);
			String archiveBackup = json.readTree(archive.body()).path("id").asString();

			HttpResponse<String> bad = upload(db, "application/octet-stream",
					HttpRequest.BodyPublishers.ofString("REDIS0011 but not really a dump at all".repeat(100)));
			assertThat(bad.statusCode()).as(bad.body()).isEqualTo(422);
			assertThat(json.readTree(bad.body()).path("error").asString()).isEqualTo("invalid_rdb");
			assertThat(operator().get("/api/v1/databases/" + db + "/backups").json()).hasSize(2);
			assertThat(withToken("nobody").post("/api/v1/databases/" + db + "/backups/import").status())
				.isEqualTo(401);

			// the downloaded archive of an import holds the uploaded dump, byte for byte
			byte[] download = operator().getBytes("/api/v1/databases/" + db + "/backups/" + archiveBackup + "/archive")
				.body();
			assertThat(download).hasSize(json.readTree(archive.body()).path("size").asInt());

			ApiClient.Response launched = RestoreSupport.start(operator(), db,
					"{\"backup\": \"" + archiveBackup + "\", \"target\": \"new_database\", \"target_database\": \""
							+ copyDb + "\"}");
			assertThat(launched.status()).as(launched.body()).isEqualTo(202);
			JsonNode finished = awaitRestoreFinished(operator(), db, launched.text("id"));
			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
			// the import's keys were counted from its dump: the restore compares them
			assertThat(finished.path("checks").path("keys").path("equal").asBoolean()).as(finished.toString()).isTrue();
			assertThat(RedisDataset.differences(expected, RestoreFaultsTest.snapshot(copy))).isEmpty();
			assertThat(copy.digest()).isEqualTo(source.digest());
		}
	}

	private HttpResponse<String> upload(String db, String contentType, HttpRequest.BodyPublisher body)
			throws IOException, InterruptedException {
		return RestoreSupport.importDump(this.port, db, contentType, body);
	}

}
