package io.coffer.keyring;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.cli.CofferCli;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobStore;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.Cookies;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.ServiceTest;
import io.coffer.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static io.coffer.testsupport.Digests.sha256;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups exist; the operator rotates; the re-wrap is interrupted after writing an object and before
 * recording it (what a kill at the worst moment leaves); every backup is readable meanwhile, the old key
 * cannot be retired yet; a second run finishes; the old key is retired; and every backup still downloads,
 * restores into a real redis-server and decrypts offline with the keyring file alone.
 */
class KeyRotationTest extends ServiceTest {

	private static final String PASSWORD = "rotation-secret";

	/** This class rotates and retires keys: a keyring of its own, not the one the other tests share. */
	private static final Path KEYRING = keyringOfItsOwn();

	private static final TestDatabase CATALOGUE = TestDatabase.get().sibling();

	/** The number of the object written again after which the re-wrap stops; 0: never. */
	private static final AtomicInteger STOP_AFTER = new AtomicInteger();

	@Autowired
	private BackupRepository backups;

	@Autowired
	private BlobStore store;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
		registry.add("coffer.keyring", KEYRING::toString);
		// and a catalogue of its own: the re-wrap takes every backup of the catalogue, and retiring waits for
		// every backup in flight, which the other classes' backups must not be
		registry.add("coffer.database.url", CATALOGUE::jdbcUrl);
		registry.add("coffer.database.username", CATALOGUE::username);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Interruption {

		@Bean
		RewrapKeysTask.RewrapListener stopAfterSomeObjects() {
			AtomicInteger rewritten = new AtomicInteger();
			return (backupId) -> {
				int stopAfter = STOP_AFTER.get();
				if (stopAfter > 0 && rewritten.incrementAndGet() == stopAfter) {
					STOP_AFTER.set(0);
					throw new IOException("interrupted after writing the object of backup " + backupId);
				}
			};
		}

	}

	@Test
	void rotateRewrapThroughAnInterruptionRetireThenEveryBackupReadsWithTheNewKeyringAlone() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword(PASSWORD)) {
			Map<Integer, Map<String, String>> expected;
			try (Jedis jedis = redis.jedis()) {
				RedisDataset.write(jedis);
				expected = RedisDataset.snapshot(jedis);
			}
			String db = registerDatabase("rotation-app", PASSWORD, "stream", redis.port()).text("id");
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				JsonNode backup = backUp(db);
				assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
				ids.add(backup.path("id").asString());
			}
			String oldKey = operator().get("/api/v1/keyring").text("current_key");
			assertThat(ids).allSatisfy((id) -> assertThat(row(db, id).keyId()).isEqualTo(oldKey));
			assertThat(withToken("not-an-operator").post("/api/v1/keyring/rotate").status()).isEqualTo(401);

			// rotate: the re-wrap it launches stops after writing the second object, before recording it
			STOP_AFTER.set(2);
			ApiClient.Response rotated = operator().post("/api/v1/keyring/rotate");
			assertThat(rotated.status()).as(rotated.body()).isEqualTo(202);
			String newKey = rotated.text("key_id");
			assertThat(newKey).isNotEqualTo(oldKey);
			JsonNode interrupted = awaitJobEnd(operator(), rotated.json().path("rewrap").path("execution").asLong());
			assertThat(interrupted.path("status").asString()).as(interrupted.toString()).isEqualTo("failed");
			assertThat(row(db, ids.get(0)).keyId()).isEqualTo(newKey);
			assertThat(row(db, ids.get(1)).keyId()).as("written again, not recorded").isEqualTo(oldKey);
			assertThat(row(db, ids.get(2)).keyId()).isEqualTo(oldKey);
			for (String id : ids) {
				assertDownloads(db, id);
			}
			ApiClient.Response refused = operator().delete("/api/v1/keyring/keys/" + oldKey);
			assertThat(refused.status()).as(refused.body()).isEqualTo(409);
			assertThat(refused.text("message")).contains("still wraps the data key of 2 backups")
				.contains("rewrapKeysJob");
			assertThat(operator().delete("/api/v1/keyring/keys/" + newKey).status()).isEqualTo(409);

			// a backup taken now uses the new key
			JsonNode afterRotation = backUp(db);
			ids.add(afterRotation.path("id").asString());
			assertThat(row(db, afterRotation.path("id").asString()).keyId()).isEqualTo(newKey);

			// the second run finishes: the object written before the interruption is recorded, not written again
			ApiClient.Response rerun = operator().post("/api/v1/jobs/rewrapKeysJob");
			assertThat(rerun.status()).as(rerun.body()).isEqualTo(202);
			JsonNode finished = awaitJobEnd(operator(), rerun.json().path("execution").asLong());
			assertThat(finished.path("status").asString()).as(finished.toString()).isEqualTo("completed");
			assertThat(finished.path("exit_description").asString()).contains("1 backups re-wrapped")
				.contains("1 re-wrapped earlier recorded");
			JsonNode keys = operator().get("/api/v1/keyring").json().path("keys");
			JsonNode old = keys.get(0);
			assertThat(old.path("id").asString()).isEqualTo(oldKey);
			assertThat(old.path("backups").asLong()).isZero();
			assertThat(old.path("secrets").asLong()).as("the database's password is sealed again").isZero();

			// retire, from the command line
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			assertThat(cli(out, InputStream.nullInputStream(), "keyring", "retire", oldKey)).isZero();
			assertThat(out.toString(StandardCharsets.UTF_8)).contains("Key " + oldKey + " retired");
			assertThat(Files.readString(KEYRING)).doesNotContain(oldKey).contains(newKey);
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(KEYRING))).isEqualTo("rw-------");
			assertThat(Keyring.load(KEYRING).keyIds()).containsExactly(newKey);

			// every backup: downloads, its stored object is the one the catalogue describes, decrypts offline
			for (String id : ids) {
				byte[] archive = assertDownloads(db, id);
				Backup backup = row(db, id);
				byte[] stored;
				try (InputStream in = this.store.read(backup.objectKey())) {
					stored = in.readAllBytes();
				}
				assertThat(sha256(stored)).isEqualTo(backup.storedSha256());
				ByteArrayOutputStream decrypted = new ByteArrayOutputStream();
				assertThat(cli(decrypted, new ByteArrayInputStream(stored), "decrypt", "--keyring", KEYRING.toString()))
					.isZero();
				assertThat(decrypted.toByteArray()).isEqualTo(archive);
			}

			// the oldest backup, re-wrapped after the interruption, restores; the password opens without the old key
			try (Jedis jedis = redis.jedis()) {
				jedis.flushAll();
			}
			ApiClient.Response restore = operator().post("/api/v1/databases/" + db + "/restores",
					"{\"backup\": \"" + ids.get(1) + "\", \"target\": \"in_place\"}");
			assertThat(restore.status()).as(restore.body()).isEqualTo(202);
			JsonNode restored = awaitRestoreFinished(operator(), db, restore.text("id"));
			assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
			try (Jedis jedis = redis.jedis()) {
				assertThat(RedisDataset.differences(expected, RedisDataset.snapshot(jedis))).isEmpty();
			}

			// the next rotation, from the command line, waits for its re-wrap and lists the keys
			ByteArrayOutputStream rotation = new ByteArrayOutputStream();
			assertThat(cli(rotation, InputStream.nullInputStream(), "keyring", "rotate")).isZero();
			String printed = rotation.toString(StandardCharsets.UTF_8);
			String third = Keyring.load(KEYRING).keyIds().get(1);
			assertThat(printed).contains("New backups use key " + third).contains("4 backups re-wrapped")
				.contains(newKey).contains(third);
			assertThat(ids).allSatisfy((id) -> assertThat(row(db, id).keyId()).isEqualTo(third));
		}
	}

	@Test
	void theOperatorRotatesFromTheDashboard() throws Exception {
		String before = operator().get("/api/v1/keyring").text("current_key");
		HttpResponse<String> signInPage = page("/dashboard/sign-in", null, null);
		String cookie = Cookies.setBy(signInPage).orElse(null);
		HttpResponse<String> signedIn = page("/dashboard/sign-in", cookie,
				"token=" + CofferTestServices.ADMIN_TOKEN + "&_csrf=" + csrf(signInPage));
		assertThat(signedIn.statusCode()).isEqualTo(302);
		cookie = Cookies.setBy(signedIn).orElse(cookie);
		HttpResponse<String> databases = page("/dashboard", cookie, null);
		assertThat(databases.body()).contains("New backups use key <span class=\"mono\">" + before + "</span>")
			.contains("Rotate keys");

		HttpResponse<String> rotated = page("/dashboard/keyring/rotate", cookie, "_csrf=" + csrf(databases));
		assertThat(rotated.statusCode()).isEqualTo(302);
		String after = page("/dashboard", cookie, null).body();
		String current = operator().get("/api/v1/keyring").text("current_key");
		assertThat(current).isNotEqualTo(before);
		Matcher notice = Pattern.compile("New backups use key " + current + "; rewrapKeysJob \\(execution (\\d+)\\)")
			.matcher(after);
		assertThat(notice.find()).as(after).isTrue();
		JsonNode rewrap = awaitJobEnd(operator(), Long.parseLong(notice.group(1)));
		assertThat(rewrap.path("status").asString()).as(rewrap.toString()).isEqualTo("completed");
		ApiClient.Response retired = operator().delete("/api/v1/keyring/keys/" + before);
		assertThat(retired.status()).as(retired.body()).isEqualTo(200);
	}

	private HttpResponse<String> page(String path, String cookie, String form) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Accept", "text/html");
		if (cookie != null) {
			request.header("Cookie", cookie);
		}
		if (form != null) {
			request.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form));
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String csrf(HttpResponse<String> page) {
		Matcher field = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
		assertThat(field.find()).as(page.body()).isTrue();
		return URLEncoder.encode(field.group(1), StandardCharsets.UTF_8);
	}

	private byte[] assertDownloads(String db, String id) {
		java.net.http.HttpResponse<byte[]> download = operator().getBytes("/api/v1/databases/" + db + "/backups/" + id + "/archive");
		assertThat(download.statusCode()).isEqualTo(200);
		Backup backup = row(db, id);
		assertThat(sha256(download.body())).as("archive of " + id).isEqualTo(backup.archiveSha256());
		return download.body();
	}

	private Backup row(String db, String id) {
		return this.backups.find(db, id).orElseThrow();
	}

	private int cli(ByteArrayOutputStream out, InputStream in, String... arguments) {
		CofferCli.Console console = new CofferCli.Console(new PrintStream(out, true, StandardCharsets.UTF_8),
				System.err, in, Map.of("COFFER_URL", "http://127.0.0.1:" + this.port, "COFFER_TOKEN",
						CofferTestServices.ADMIN_TOKEN),
				Path.of("").toAbsolutePath(), ZoneId.of("UTC"), Clock.systemUTC());
		return CofferCli.commandLine(console).execute(arguments);
	}

	private static Path keyringOfItsOwn() {
		try {
			Path folder = Files.createDirectories(CofferTestServices.get().workFolder().resolve("rotation"));
			Path file = folder.resolve("keyring");
			Keyring.generate(file);
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
