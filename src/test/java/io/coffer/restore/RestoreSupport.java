package io.coffer.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.RedisTopology;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/** Starting restores and imports through the API, as the tests of this package do; ServiceTest waits for them. */
final class RestoreSupport {

	private static final HttpClient http = HttpClient.newHttpClient();

	private RestoreSupport() {
	}

	/**
	 * Whether point-in-time recovery has taken its base backup (method {@code archive}) of the database and
	 * reads the stream after it: commands are stamped when the archiver reads them, so writes made before it
	 * does would be stamped late.
	 */
	static boolean hasDoneBase(ApiClient client, String db) {
		tools.jackson.databind.JsonNode lag = client.get("/api/v1/databases/" + db + "/pitr").json().path("lag_ms");
		if (lag.isNull() || lag.isMissingNode()) {
			return false;
		}
		for (tools.jackson.databind.JsonNode backup : client.get("/api/v1/databases/" + db + "/backups").json()) {
			if (backup.path("method").asString().equals("archive") && backup.path("status").asString().equals("done")) {
				return true;
			}
		}
		return false;
	}

	static ApiClient.Response start(ApiClient client, String databaseId, String body) {
		return client.post("/api/v1/databases/" + databaseId + "/restores", body);
	}

	/** Registers the topology's primary and replica with its sentinels; answers the database's id. */
	static String registerWithSentinels(ApiClient client, RedisTopology redis, String app, String password) {
		StringBuilder sentinels = new StringBuilder();
		for (RedisServerProcess sentinel : redis.sentinels()) {
			sentinels.append(sentinels.isEmpty() ? "" : ", ")
				.append("{\"host\": \"127.0.0.1\", \"port\": ")
				.append(sentinel.port())
				.append("}");
		}
		ApiClient.Response created = client.post("/api/v1/databases", """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d},
				 {"host": "127.0.0.1", "port": %d}], "password": "%s", "sentinels": [%s], "sentinel_master": "%s"}}"""
			.formatted(app, redis.primary().port(), redis.replica().port(), password, sentinels,
					RedisTopology.MASTER_NAME));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created.text("id");
	}

	/** Uploads a dump (raw, or a .tar.gz) to the database's import as the operator; the body is streamed. */
	static HttpResponse<String> importDump(int port, String databaseId, String contentType,
			HttpRequest.BodyPublisher body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/databases/" + databaseId + "/backups/import"))
			.header("Authorization", "Bearer " + CofferTestServices.ADMIN_TOKEN)
			.header("Content-Type", contentType)
			.POST(body)
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	/** A .tar.gz whose only file is {@code dump.rdb}, as an import takes it. */
	static byte[] tarGz(byte[] dump) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
			TarArchiveEntry entry = new TarArchiveEntry("dump.rdb");
			entry.setSize(dump.length);
			tar.putArchiveEntry(entry);
			tar.write(dump);
			tar.closeArchiveEntry();
		}
		return bytes.toByteArray();
	}

	/** Rewrites a stored object with the byte at {@code offset} flipped, as bit rot would. */
	static void flipOneByte(BlobStore store, String objectKey, long offset) throws IOException {
		byte[] stored;
		try (InputStream in = store.read(objectKey)) {
			stored = in.readAllBytes();
		}
		stored[Math.toIntExact(offset)] ^= 0x01;
		BlobUpload upload = store.openUpload(objectKey);
		upload.write(stored);
		upload.complete();
	}

	/**
	 * Makes the server load slowly: half a millisecond per key, so that a restore of 20,000 keys loads
	 * for seconds, long enough to act in the middle; and it answers INFO while loading every KiB, not
	 * every 2 MiB (more than such a dump).
	 */
	static void slowLoading(RedisServerProcess redis) {
		try (Jedis jedis = redis.jedis()) {
			jedis.configSet("key-load-delay", "500");
			jedis.configSet("loading-process-events-interval-bytes", "1024");
		}
	}

}
