package io.coffer.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.coffer.CofferApplication;
import io.coffer.catalog.PitrRepository;
import io.coffer.cli.CofferCli;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.ServiceTest;
import io.coffer.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The catalogue is lost: an instance on a new, empty PostgreSQL database, with the same bucket and
 * keyring, rebuilds it. Its databases, sealed passwords, tokens and schedules come back from the newest
 * snapshot that reads back (a damaged one and an old one stored under a newer name are refused), the
 * backup made after that snapshot from its object; every backup is listed, downloads and restores.
 */
class CatalogueSnapshotRebuildTest {

	private static final String PASSWORD = "snapshot-secret";

	private final String bucket = "snapshots-" + UUID.randomUUID().toString().substring(0, 8);

	private final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	@AfterEach
	void stop() {
		this.instances.forEach(ConfigurableApplicationContext::close);
	}

	@Test
	void aLostCatalogueComesBackFromTheBucketAndTheKeyring() throws Exception {
		try (RedisServerProcess first = RedisServerProcess.startWithPassword(PASSWORD);
				RedisServerProcess second = RedisServerProcess.startWithPassword(PASSWORD)) {
			RedisDataset.write(first);
			RedisDataset.write(second);

			ConfigurableApplicationContext lost = start("snapshot-a", TestDatabase.get().sibling());
			ApiClient api = new ApiClient(port(lost), CofferTestServices.ADMIN_TOKEN);
			assertThat(api.post("/api/v1/admin/catalogue/snapshots").status()).as("nothing to snapshot yet")
				.isEqualTo(409);
			ApiClient.Response db1 = register(api, "snap-one", first.port());
			ApiClient.Response db2 = register(api, "snap-two", second.port());
			String one = db1.text("id");
			String two = db2.text("id");
			ApiClient.Response scheduled = api.put("/api/v1/databases/" + one + "/backup-schedule",
					"{\"enabled\": true, \"hour_utc\": 3, \"every_hours\": 12}");
			assertThat(scheduled.status()).as(scheduled.body()).isEqualTo(200);
			List<String> before = new ArrayList<>();
			before.add(backUp(api, one));
			before.add(backUp(api, two));
			before.add(backUp(api, one));
			JsonNode scheduleBefore = api.get("/api/v1/databases/" + one + "/backup-schedule").json();
			// point-in-time recovery's rows: two archived segments of two's stream (off now) and a gap between them
			PitrRepository pitr = lost.getBean(PitrRepository.class);
			BlobStore lostStore = lost.getBean(BlobStore.class);
			pitr.setEnabled(two, false);
			Instant archivedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
			String expiredSegment = segment(pitr, lostStore, two, 1001, archivedAt);
			String keptSegment = segment(pitr, lostStore, two, 5001, archivedAt.plusSeconds(300));
			pitr.insertGap(two, new PitrRepository.Gap(archivedAt.plusSeconds(1), archivedAt.plusSeconds(300),
					"the node restarted", null));

			// the changes are written, together, within the interval; no change is left pending
			String snapshot = awaitEveryChangeWritten(api);
			assertThat(api.get("/api/v1/admin/catalogue/snapshots").json().path("snapshots").findValuesAsString("object_key"))
				.contains(snapshot);
			// a backup made after that snapshot, and the snapshots after it lost (as if the catalogue went first)
			String after = backUp(api, two);
			before.add(after);
			String newer = awaitEveryChangeWritten(api);
			assertThat(newer).isGreaterThan(snapshot);
			Map<String, Long> sizes = new HashMap<>();
			for (String db : List.of(one, two)) {
				for (JsonNode backup : api.get("/api/v1/databases/" + db + "/backups").json()) {
					sizes.put(backup.path("id").asString(), backup.path("size").asLong());
				}
			}
			assertThat(sizes).containsOnlyKeys(before);

			BlobStore store = lost.getBean(BlobStore.class);
			byte[] good;
			try (InputStream in = store.read(snapshot)) {
				good = in.readAllBytes();
			}
			for (BlobInfo object : store.list(CatalogueSnapshots.PREFIX)) {
				if (object.key().compareTo(snapshot) > 0) {
					store.delete(object.key());
				}
			}
			// newer than the good one: a copy with one byte changed, and the good one stored under a newer name
			byte[] damaged = good.clone();
			damaged[damaged.length / 2] ^= 0x40;
			String damagedKey = CatalogueSnapshots.PREFIX + "snapshot-29990101T000000.000Z.jsonl.gz.enc";
			String replayedKey = CatalogueSnapshots.PREFIX + "snapshot-29990101T000000.001Z.jsonl.gz.enc";
			put(store, damagedKey, damaged);
			put(store, replayedKey, good);
			// retention deleted a segment's object after the snapshot
			store.delete(expiredSegment);
			lost.close();

			// a new, empty catalogue; the same bucket and keyring
			ConfigurableApplicationContext rebuilt = start("snapshot-b", TestDatabase.get().sibling());
			ApiClient fresh = new ApiClient(port(rebuilt), CofferTestServices.ADMIN_TOKEN);
			assertThat(fresh.get("/api/v1/databases/" + one).status()).isEqualTo(404);

			ByteArrayOutputStream out = new ByteArrayOutputStream();
			int exit = cli(port(rebuilt), out, "rebuild-catalogue");
			String printed = out.toString(StandardCharsets.UTF_8);
			assertThat(exit).as(printed).isZero();
			assertThat(printed).contains("Catalogue restored from " + snapshot)
				.contains("2 databases, 3 backups")
				.contains("snapshot " + damagedKey + " refused: it cannot be read back")
				.contains("snapshot " + replayedKey + " refused: it cannot be read back: it was written as " + snapshot)
				.contains("rebuilt backup " + after + " of " + two)
				.contains("1 rebuilt, 0 skipped")
				.contains("1 archived point-in-time segments left out");

			// the archived stream is back, without the segment whose object is gone; its archiver, off
			JsonNode recovery = fresh.get("/api/v1/databases/" + two + "/pitr").json();
			assertThat(recovery.path("enabled").asBoolean(true)).isFalse();
			assertThat(recovery.path("segments").asInt()).as(recovery.toString()).isEqualTo(1);
			assertThat(Instant.parse(recovery.path("recoverable_to").asString()))
				.isEqualTo(archivedAt.plusSeconds(301));
			assertThat(recovery.path("gaps").findValuesAsString("why")).containsExactly("the node restarted");
			assertThat(rebuilt.getBean(PitrRepository.class).segments(two)).extracting(PitrRepository.Segment::objectKey)
				.containsExactly(keptSegment);
			assertThat(rebuilt.getBean(PitrRepository.class).find(two)).isPresent();

			// the catalogue has databases now: a second rebuild takes no snapshot and finds nothing left to do
			JsonNode again = fresh.post("/api/v1/admin/catalogue/rebuild").json();
			assertThat(again.has("snapshot")).as(again.toString()).isFalse();
			assertThat(again.path("rebuilt")).isEmpty();
			assertThat(again.path("already_catalogued").asInt()).isEqualTo(4);

			// the tokens' hashes came back: the owners' tokens work as before
			assertThat(new ApiClient(port(rebuilt), db1.text("token")).get("/api/v1/databases/" + one).status())
				.isEqualTo(200);
			assertThat(new ApiClient(port(rebuilt), db2.text("token")).get("/api/v1/databases/" + one).status())
				.isIn(403, 404);
			// scheduled as before, in Quartz too
			JsonNode scheduleAfter = fresh.get("/api/v1/databases/" + one + "/backup-schedule").json();
			for (String field : List.of("enabled", "hour_utc", "schedule_at", "every_hours", "next_run")) {
				assertThat(scheduleAfter.path(field)).as(field).isEqualTo(scheduleBefore.path(field));
			}
			assertThat(scheduleAfter.path("next_run").isString()).isTrue();
			// every backup is listed and downloads
			for (String db : List.of(one, two)) {
				for (JsonNode backup : fresh.get("/api/v1/databases/" + db + "/backups").json()) {
					assertThat(backup.path("status").asString()).isEqualTo("done");
					String id = backup.path("id").asString();
					byte[] archive = fresh.getBytes("/api/v1/databases/" + db + "/backups/" + id + "/archive").body();
					assertThat((long) archive.length).as(id).isEqualTo(sizes.get(id));
					sizes.remove(id);
				}
			}
			assertThat(sizes).as("backups not listed after the rebuild").isEmpty();
			// and restores: the sealed password opens with the keyring (the data has not changed since the backup;
			// its times to live, read now, have run on as they will have after the restore)
			Map<Integer, Map<String, String>> expected;
			try (Jedis jedis = first.jedis()) {
				expected = RedisDataset.snapshot(jedis);
				jedis.flushAll();
			}
			ApiClient.Response restore = fresh.post("/api/v1/databases/" + one + "/restores",
					"{\"backup\": \"" + before.get(0) + "\", \"target\": \"in_place\"}");
			assertThat(restore.status()).as(restore.body()).isEqualTo(202);
			JsonNode restored = ServiceTest.awaitRestoreFinished(fresh, one, restore.text("id"));
			assertThat(restored.path("status").asString()).as(restored.toString()).isEqualTo("done");
			try (Jedis jedis = first.jedis()) {
				assertThat(RedisDataset.differences(expected, RedisDataset.snapshot(jedis))).isEmpty();
			}
			// the rebuilt catalogue goes on writing snapshots, newer than every one before
			assertThat(awaitEveryChangeWritten(fresh)).isGreaterThan(snapshot);
		}
	}

	private ConfigurableApplicationContext start(String instanceId, TestDatabase catalogue) {
		List<String> arguments = new ArrayList<>();
		for (String argument : CofferTestServices.get().arguments()) {
			if (!argument.startsWith("--coffer.database.url=") && !argument.startsWith("--coffer.database.username=")
					&& !argument.startsWith("--coffer.s3.bucket=")) {
				arguments.add(argument);
			}
		}
		arguments.add("--coffer.database.url=" + catalogue.jdbcUrl());
		arguments.add("--coffer.database.username=" + catalogue.username());
		arguments.add("--coffer.s3.bucket=" + this.bucket);
		arguments.add("--server.port=0");
		arguments.add("--coffer.instance-id=" + instanceId);
		arguments.add("--coffer.catalogue-snapshot.interval=1s");
		ConfigurableApplicationContext context = new SpringApplicationBuilder(CofferApplication.class)
			.run(arguments.toArray(String[]::new));
		this.instances.add(context);
		return context;
	}

	private static ApiClient.Response register(ApiClient api, String app, int port) {
		ApiClient.Response created = api.post("/api/v1/databases", """
				{"app": "%s-%s", "register": {"nodes": [{"host": "127.0.0.1", "port": %d}], "password": "%s"}}"""
			.formatted(app, UUID.randomUUID().toString().substring(0, 6), port, PASSWORD));
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		return created;
	}

	private static String backUp(ApiClient api, String db) {
		ApiClient.Response launched = api.post("/api/v1/databases/" + db + "/backups");
		assertThat(launched.status()).as(launched.body()).isEqualTo(202);
		JsonNode backup = ServiceTest.awaitFinished(api, db, launched.text("id"));
		assertThat(backup.path("status").asString()).as(backup.toString()).isEqualTo("done");
		return backup.path("id").asString();
	}

	/** Waits until no change is pending, and answers the snapshot that holds them all. */
	private static String awaitEveryChangeWritten(ApiClient api) {
		JsonNode[] state = new JsonNode[1];
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
			state[0] = api.get("/api/v1/admin/catalogue/snapshots").json();
			return !state[0].path("changes_pending").asBoolean(true) && state[0].path("last_written").isObject();
		});
		return state[0].path("last_written").path("object_key").asString();
	}

	/** A segment of 100 bytes of history "h1" from {@code startOffset}, its commands arriving over a second. */
	private static String segment(PitrRepository pitr, BlobStore store, String db, long startOffset, Instant at)
			throws IOException {
		String key = PitrRepository.OBJECT_PREFIX + db + "/h1/" + startOffset + ".seg.enc";
		put(store, key, "segment".getBytes(StandardCharsets.UTF_8));
		pitr.insertSegment(new PitrRepository.Segment(0, db, "h1", startOffset, startOffset + 99, at, at.plusSeconds(1),
				3, key, 7, "0".repeat(64), "k1"));
		return key;
	}

	private static void put(BlobStore store, String key, byte[] bytes) throws IOException {
		BlobUpload upload = store.openUpload(key);
		upload.write(bytes);
		upload.complete();
	}

	private static int cli(int port, OutputStream out, String... arguments) {
		CofferCli.Console console = new CofferCli.Console(new PrintStream(out, true, StandardCharsets.UTF_8),
				System.err, InputStream.nullInputStream(),
				Map.of("COFFER_URL", "http://127.0.0.1:" + port, "COFFER_TOKEN", CofferTestServices.ADMIN_TOKEN),
				Path.of("").toAbsolutePath(), ZoneId.of("UTC"), Clock.systemUTC());
		return CofferCli.commandLine(console).execute(arguments);
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

}
