package io.coffer.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.crypto.EncryptedLayout;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Downloads of real backups of a Redis holding a few MiB (compressible keys and random values, so that
 * the archive spans several 1 MiB segments): whole, resumed, by range, raw; who may download what;
 * and objects damaged in storage, whose downloads must never look complete.
 */
class BackupDownloadTest extends IntegrationTest {

	private static final String PASSWORD = "download-secret";

	private static final int SEGMENT = EncryptedLayout.SEGMENT_SIZE;

	private static RedisServerProcess redis;

	private static Registered shared;

	private static Backup sharedBackup;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Autowired
	BackupRepository backups;

	@Autowired
	BlobStore store;

	record Registered(String id, String token) {
	}

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.startWithPassword(PASSWORD);
		redis.populate(40_000, "key", 64);
		Random random = new Random(42);
		try (Jedis jedis = redis.jedis()) {
			for (int i = 0; i < 14; i++) {
				byte[] value = new byte[256 * 1024];
				random.nextBytes(value);
				jedis.set(("random:" + i).getBytes(StandardCharsets.UTF_8), value);
			}
		}
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void sharedBackup() {
		if (shared == null) {
			shared = register("download");
			sharedBackup = backUp(shared);
		}
	}

	@Test
	void theLatestAndTheSameBackupByIdDownloadWholeWithTheirHeaders() throws Exception {
		assertThat(sharedBackup.archiveSize()).as("archive spans several segments").isGreaterThan(3L * SEGMENT);

		HttpResponse<byte[]> latest = download(shared.token(), archivePath(shared, "latest"));
		HttpResponse<byte[]> byId = download(shared.token(), archivePath(shared, sharedBackup.id()));

		for (HttpResponse<byte[]> response : List.of(latest, byId)) {
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(sha256(response.body())).isEqualTo(sharedBackup.archiveSha256());
			assertThat((long) response.body().length).isEqualTo(sharedBackup.archiveSize());
			assertThat(header(response, "Content-Type")).isEqualTo("application/gzip");
			assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(sharedBackup.archiveSize()));
			assertThat(header(response, "Content-Disposition"))
				.isEqualTo("attachment; filename=\"" + sharedBackup.name() + "\"");
			assertThat(header(response, "ETag")).isEqualTo("\"" + sharedBackup.archiveSha256() + "\"");
			assertThat(header(response, "Accept-Ranges")).isEqualTo("bytes");
		}
		Backup checked = this.backups.find(shared.id(), sharedBackup.id()).orElseThrow();
		assertThat(checked.integrityCheckedAt()).isNotNull();
		assertThat(checked.integrityError()).isNull();
	}

	@Test
	void aDownloadResumedWithARangeEqualsTheWhole() throws Exception {
		byte[] whole = download(shared.token(), archivePath(shared, "latest")).body();
		long cut = SEGMENT + 12_345;

		HttpResponse<byte[]> first = download(shared.token(), archivePath(shared, "latest"), "Range",
				"bytes=0-" + (cut - 1));
		HttpResponse<byte[]> rest = download(shared.token(), archivePath(shared, "latest"), "Range",
				"bytes=" + cut + "-", "If-Range", "\"" + sharedBackup.archiveSha256() + "\"");

		assertThat(first.statusCode()).isEqualTo(206);
		assertThat(header(first, "Content-Range")).isEqualTo("bytes 0-" + (cut - 1) + "/" + whole.length);
		assertThat(rest.statusCode()).isEqualTo(206);
		assertThat(header(rest, "Content-Range"))
			.isEqualTo("bytes " + cut + "-" + (whole.length - 1) + "/" + whole.length);
		assertThat(header(rest, "Content-Length")).isEqualTo(String.valueOf(whole.length - cut));
		ByteArrayOutputStream resumed = new ByteArrayOutputStream();
		resumed.write(first.body());
		resumed.write(rest.body());
		assertThat(sha256(resumed.toByteArray())).isEqualTo(sharedBackup.archiveSha256());
	}

	@Test
	void aRangeAcrossSegmentBoundariesAndASuffixAreTheSameSlices() throws Exception {
		byte[] whole = download(shared.token(), archivePath(shared, sharedBackup.id())).body();
		int from = SEGMENT - 100;
		int to = 2 * SEGMENT + 99;

		HttpResponse<byte[]> middle = download(shared.token(), archivePath(shared, sharedBackup.id()), "Range",
				"bytes=" + from + "-" + to);
		HttpResponse<byte[]> suffix = download(shared.token(), archivePath(shared, sharedBackup.id()), "Range",
				"bytes=-1000");

		assertThat(middle.statusCode()).isEqualTo(206);
		assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(whole, from, to + 1));
		assertThat(suffix.statusCode()).isEqualTo(206);
		assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(whole, whole.length - 1000, whole.length));
	}

	@Test
	void aRangeOutsideTheArchiveIs416AndAStaleIfRangeGetsTheWhole() throws Exception {
		long size = sharedBackup.archiveSize();

		HttpResponse<byte[]> outside = download(shared.token(), archivePath(shared, "latest"), "Range",
				"bytes=" + size + "-");
		HttpResponse<byte[]> stale = download(shared.token(), archivePath(shared, "latest"), "Range", "bytes=0-99",
				"If-Range", "\"not-this-archive\"");

		assertThat(outside.statusCode()).isEqualTo(416);
		assertThat(header(outside, "Content-Range")).isEqualTo("bytes */" + size);
		assertThat(new String(outside.body(), StandardCharsets.UTF_8)).contains("\"range_not_satisfiable\"");
		assertThat(stale.statusCode()).isEqualTo(200);
		assertThat((long) stale.body().length).isEqualTo(size);
	}

	@Test
	void onlyTheOwnerAndTheOperatorMayDownloadAndOthersCannotTellWhatExists() throws Exception {
		Registered other = register("download-other");
		String real = archivePath(shared, sharedBackup.id());
		String forged = archivePath(shared, "0123456789abcdef01234567");

		assertThat(download(null, real).statusCode()).isEqualTo(401);
		HttpResponse<byte[]> realForOther = download(other.token(), real);
		HttpResponse<byte[]> forgedForOther = download(other.token(), forged);
		assertThat(realForOther.statusCode()).isEqualTo(404);
		assertThat(forgedForOther.statusCode()).isEqualTo(404);
		assertThat(realForOther.body()).isEqualTo(forgedForOther.body());
		assertThat(download(other.token(), archivePath(other, sharedBackup.id())).statusCode()).isEqualTo(404);
		assertThat(download(shared.token(), forged).statusCode()).isEqualTo(404);
		assertThat(download(CofferTestServices.ADMIN_TOKEN, real).statusCode()).isEqualTo(200);

		HttpResponse<byte[]> noneYet = download(other.token(), archivePath(other, "latest"));
		assertThat(noneYet.statusCode()).isEqualTo(404);
		assertThat(json(noneYet).path("message").asString()).isEqualTo(other.id() + " has no successful backup yet");
	}

	@Test
	void aBackupThatIsNotDoneIs409() {
		Registered database = register("download-not-done");
		String id = UUID.randomUUID().toString().replace("-", "").substring(0, 24);
		this.backups.insertScheduled(id, database.id(), Instant.now(), "not-done.tar.gz", Backup.MANUAL,
				database.id() + "/not-done.tar.gz");

		HttpResponse<byte[]> scheduled = download(database.token(), archivePath(database, id));
		this.backups.markError(id, "failed on purpose", Instant.now());
		HttpResponse<byte[]> failed = download(database.token(), archivePath(database, id));

		assertThat(scheduled.statusCode()).isEqualTo(409);
		assertThat(json(scheduled).path("error").asString()).isEqualTo("backup_not_done");
		assertThat(failed.statusCode()).isEqualTo(409);
		assertThat(json(failed).path("error").asString()).isEqualTo("backup_not_done");
	}

	@Test
	void theOperatorDownloadsTheStoredObjectRawAndADatabaseTokenMayNot() throws Exception {
		byte[] stored;
		try (InputStream in = this.store.read(sharedBackup.objectKey())) {
			stored = in.readAllBytes();
		}

		HttpResponse<byte[]> raw = download(CofferTestServices.ADMIN_TOKEN,
				archivePath(shared, sharedBackup.id()) + "?raw=true");
		HttpResponse<byte[]> refused = download(shared.token(), archivePath(shared, sharedBackup.id()) + "?raw=true");

		assertThat(raw.statusCode()).isEqualTo(200);
		assertThat(raw.body()).isEqualTo(stored);
		assertThat(header(raw, "Content-Length")).isEqualTo(String.valueOf(sharedBackup.storedSize()));
		assertThat(header(raw, "Content-Type")).isEqualTo("application/octet-stream");
		assertThat(header(raw, "Content-Disposition"))
			.isEqualTo("attachment; filename=\"" + sharedBackup.name() + ".enc\"");
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(json(refused).path("error").asString()).isEqualTo("operator_only");
	}

	@Test
	void aTamperedObjectAbortsTheDownloadAndFlagsTheBackup() throws Exception {
		Registered database = register("download-tampered");
		Backup backup = backUp(database);
		byte[] stored = readStored(backup);
		stored[stored.length / 2] ^= 0x01;
		rewrite(backup.objectKey(), stored);

		assertAborted(database, backup);
	}

	@Test
	void aTruncatedObjectAbortsTheDownloadAndFlagsTheBackup() throws Exception {
		Registered database = register("download-truncated");
		Backup backup = backUp(database);
		byte[] stored = readStored(backup);
		long lastSegment = EncryptedLayout.segmentCount(backup.archiveSize()) - 1;
		rewrite(backup.objectKey(),
				Arrays.copyOf(stored, (int) EncryptedLayout.storedOffsetOfSegment(lastSegment)));

		assertAborted(database, backup);
	}

	@Test
	void anObjectDamagedBeforeAnyByteIsSentAnswers422AndFlagsTheBackup() throws Exception {
		Registered database = register("download-damaged-start");
		Backup backup = backUp(database);
		byte[] stored = readStored(backup);
		stored[EncryptedLayout.headerLength() + 10] ^= 0x01;
		rewrite(backup.objectKey(), stored);

		HttpResponse<byte[]> response = download(database.token(), archivePath(database, "latest"));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(json(response).path("error").asString()).isEqualTo("backup_unreadable");
		assertThat(this.backups.find(database.id(), backup.id()).orElseThrow().integrityError())
			.contains("failed authentication at segment 0");
	}

	@Test
	void anObjectCutToItsHeaderIsAnIntegrityErrorNotAStorageOne() throws Exception {
		Registered database = register("download-header-only");
		Backup backup = backUp(database);
		rewrite(backup.objectKey(), Arrays.copyOf(readStored(backup), EncryptedLayout.headerLength()));

		HttpResponse<byte[]> response = download(database.token(), archivePath(database, backup.id()));

		assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(422);
		assertThat(json(response).path("error").asString()).isEqualTo("backup_unreadable");
		assertThat(this.backups.find(database.id(), backup.id()).orElseThrow().integrityError()).isNotBlank();
		assertNamesNoStorageDetail(response, backup);
	}

	@Test
	void anObjectGoneFromStorageIs410AndTheAnswerNamesNoEndpointBucketOrKey() throws Exception {
		Registered database = register("download-gone");
		Backup backup = backUp(database);
		this.store.delete(backup.objectKey());

		HttpResponse<byte[]> response = download(database.token(), archivePath(database, backup.id()));
		HttpResponse<byte[]> raw = download(CofferTestServices.ADMIN_TOKEN,
				archivePath(database, backup.id()) + "?raw=true");

		assertThat(response.statusCode()).isEqualTo(410);
		assertThat(json(response).path("error").asString()).isEqualTo("archive_missing");
		assertNamesNoStorageDetail(response, backup);
		assertThat(raw.statusCode()).isEqualTo(410);
		assertNamesNoStorageDetail(raw, backup);
	}

	private static void assertNamesNoStorageDetail(HttpResponse<byte[]> response, Backup backup) {
		String body = new String(response.body(), StandardCharsets.UTF_8);
		assertThat(body).doesNotContain(backup.objectKey())
			.doesNotContain(CofferTestServices.BUCKET)
			.doesNotContain(CofferTestServices.get().s3().endpoint());
	}

	private void assertAborted(Registered database, Backup backup) {
		String path = archivePath(database, backup.id());
		try {
			HttpResponse<byte[]> response = this.http.send(request(database.token(), path).build(),
					HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.body().length).as("bytes received of a damaged archive")
				.isLessThan(backup.archiveSize().intValue());
		}
		catch (IOException ex) {
			// the connection was cut before the announced length: what a client must see
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.backups.find(database.id(), backup.id()).orElseThrow().integrityError())
				.contains("failed authentication"));
		JsonNode view = operator().get("/api/v1/databases/" + database.id() + "/backups/" + backup.id()).json();
		assertThat(view.path("integrity_error").asString()).contains("failed authentication");
	}

	private byte[] readStored(Backup backup) throws IOException {
		try (InputStream in = this.store.read(backup.objectKey())) {
			return in.readAllBytes();
		}
	}

	private void rewrite(String key, byte[] content) throws IOException {
		BlobUpload upload = this.store.openUpload(key);
		upload.write(content);
		upload.complete();
	}

	private Registered register(String app) {
		ApiClient.Response created = operator().post("/api/v1/databases", """
				{"app": "%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}], "password": "%s"}}"""
			.formatted(app, redis.port(), PASSWORD));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return new Registered(created.text("id"), created.text("token"));
	}

	private Backup backUp(Registered database) {
		ApiClient owner = withToken(database.token());
		ApiClient.Response launched = owner.post("/api/v1/databases/" + database.id() + "/backups");
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		String id = launched.text("id");
		JsonNode finished = await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> owner.get("/api/v1/databases/" + database.id() + "/backups/" + id).json(),
					(json) -> !json.path("status").asString().matches("scheduled|running"));
		assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("done");
		return this.backups.find(database.id(), id).orElseThrow();
	}

	private static String archivePath(Registered database, String backup) {
		return "/api/v1/databases/" + database.id() + "/backups/" + backup + "/archive";
	}

	private HttpResponse<byte[]> download(String token, String path, String... headers) {
		HttpRequest.Builder request = request(token, path);
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private HttpRequest.Builder request(String token, String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(60));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		return request;
	}

	private static String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElse(null);
	}

	private static JsonNode json(HttpResponse<byte[]> response) {
		return new ApiClient.Response(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8))
			.json();
	}

}
