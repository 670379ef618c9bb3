package io.coffer.backup;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import io.coffer.catalog.CatalogueTables;
import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.EncryptingOutputStream;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.system.CofferInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The catalogue's own state in the bucket, so that the bucket and the keyring are enough to rebuild a
 * lost catalogue: one object per snapshot under {@value #PREFIX}, named by the time it was written
 * ({@code snapshot-20261202T101500.123Z.jsonl.gz.enc}), encrypted as backups are (a data key of its own,
 * wrapped by the keyring's newest key, AES-256-GCM segments). Inside, gzip of JSON lines: a header that
 * names the object (a copy stored under another name is refused, so an old state cannot pass for a
 * newer one), one line per row of {@link CatalogueTables#TABLES}, and an end line with the number of rows
 * of each table. An upload is visible only once complete, so a reader never sees half of one.
 * <p>
 * One writer at a time across instances (the catalogue's advisory lock, taken before the consistent read),
 * and each snapshot is named at least a millisecond after the previous one: the newest name holds the
 * newest state.
 */
@Service
public class CatalogueSnapshots {

	/** Where the snapshots are: no database id starts with an underscore. */
	public static final String PREFIX = "_catalogue/";

	static final String FORMAT = "coffer-catalogue-snapshot";

	private static final String SUFFIX = ".jsonl.gz.enc";

	private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final Logger log = LoggerFactory.getLogger(CatalogueSnapshots.class);

	// our own storage format: it must not follow the API's naming settings
	private static final JsonMapper json = JsonMapper.builder().build();

	private final BlobStore store;

	private final Keyring keyring;

	private final CatalogueTables tables;

	private final CatalogueSnapshotProperties settings;

	private final Clock clock;

	private final String instanceId;

	private final TransactionTemplate transaction;

	CatalogueSnapshots(BlobStore store, Keyring keyring, CatalogueTables tables, CatalogueSnapshotProperties settings,
			Clock clock, CofferInstance instance, PlatformTransactionManager transactions) {
		this.store = store;
		this.keyring = keyring;
		this.tables = tables;
		this.settings = settings;
		this.clock = clock;
		this.instanceId = instance.id();
		this.transaction = new TransactionTemplate(transactions);
	}

	/** A snapshot stored: its object, when, and the rows of each table it holds. */
	public record Written(String objectKey, Instant writtenAt, Map<String, Long> rows) {
	}

	/** A snapshot that was not taken, and why. */
	public record Refused(String objectKey, String reason) {
	}

	/**
	 * What a rebuild took from the newest readable snapshot.
	 * @param backupsInFlight backups scheduled or running when it was written, left out (a finished one comes
	 * back from its object)
	 * @param backupsWithoutObject backups whose object is no longer in the bucket, left out
	 * @param segmentsWithoutObject segments of archived streams (their object keys) no longer in the bucket, left out
	 */
	public record Restored(String objectKey, Instant writtenAt, Map<String, Long> rows, List<String> backupsInFlight,
			List<String> backupsWithoutObject, List<String> segmentsWithoutObject) {
	}

	/** The outcome of looking for a snapshot to restore: the one restored (if any) and those refused. */
	public record Restoration(Optional<Restored> restored, List<Refused> refused) {
	}

	/**
	 * Writes a snapshot now, changes or not (after another writer, if one is at it).
	 * @throws CatalogueEmpty when the catalogue has no database
	 */
	public Written write() throws IOException {
		try (AutoCloseable lock = this.tables.lock(true).orElseThrow()) {
			return writeLocked().orElseThrow(CatalogueEmpty::new);
		}
		catch (IOException | RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IOException(ex.getMessage(), ex);
		}
	}

	/**
	 * Writes a snapshot if one is due: changes are pending and the last was written an interval ago, or
	 * the last is older than {@code max-age}. Nothing when another instance is writing one.
	 */
	Optional<Written> writeIfDue() throws IOException {
		if (!this.tables.changesPending() && !olderThan(this.settings.maxAge())) {
			return Optional.empty();
		}
		Optional<AutoCloseable> lock = this.tables.lock(false);
		if (lock.isEmpty()) {
			return Optional.empty();
		}
		try (AutoCloseable held = lock.get()) {
			// looked at again under the lock: another instance may have just written it
			boolean due = this.tables.changesPending() ? olderThan(this.settings.interval())
					: olderThan(this.settings.maxAge());
			return due ? writeLocked() : Optional.empty();
		}
		catch (IOException | RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IOException(ex.getMessage(), ex);
		}
	}

	private boolean olderThan(java.time.Duration age) {
		return this.tables.lastWritten()
			.map((last) -> !last.at().plus(age).isAfter(this.clock.instant()))
			.orElse(true);
	}

	private Optional<Written> writeLocked() throws IOException {
		if (this.tables.isEmpty()) {
			// a new catalogue: its snapshot would only hide the previous catalogue's
			return Optional.empty();
		}
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MILLIS);
		Instant at = this.tables.lastWritten()
			.map((last) -> last.at().truncatedTo(ChronoUnit.MILLIS).plusMillis(1))
			.filter((next) -> next.isAfter(now))
			.orElse(now);
		String key = PREFIX + "snapshot-" + NAME_TIME.format(at) + SUFFIX;
		BlobUpload upload = this.store.openUpload(key);
		Optional<CatalogueTables.Export> export;
		try {
			Writer out = new BufferedWriter(new OutputStreamWriter(
					new GZIPOutputStream(new EncryptingOutputStream(upload, this.keyring.newest()), 64 * 1024),
					StandardCharsets.UTF_8));
			ObjectNode header = json.createObjectNode()
				.put("format", FORMAT)
				.put("version", 1)
				.put("object_key", key)
				.put("written_at", at.toString())
				.put("instance", this.instanceId);
			out.write(json.writeValueAsString(header));
			out.write('\n');
			export = this.tables.export((table, row) -> {
				out.write("{\"table\":\"");
				out.write(table);
				out.write("\",\"row\":");
				out.write(row);
				out.write("}\n");
			});
			if (export.isEmpty()) {
				upload.abort();
				return Optional.empty();
			}
			ObjectNode end = json.createObjectNode();
			end.putObject("end").set("rows", json.valueToTree(export.get().rows()));
			out.write(json.writeValueAsString(end));
			out.write('\n');
			// gzip's trailer, the last segment, and the upload completed
			out.close();
		}
		catch (IOException | RuntimeException ex) {
			upload.abort();
			throw ex;
		}
		this.tables.recordWritten(new CatalogueTables.Written(at, key));
		this.tables.forget(export.get().changes());
		log.info("Catalogue snapshot {} written ({} databases, {} backups)", key,
				export.get().rows().get("databases"), export.get().rows().get("backups"));
		prune();
		return Optional.of(new Written(key, at, export.get().rows()));
	}

	/** The newest snapshot this catalogue wrote (or was rebuilt from). */
	public Optional<CatalogueTables.Written> lastWritten() {
		return this.tables.lastWritten();
	}

	/** Whether a change is recorded that no snapshot holds yet. */
	public boolean changesPending() {
		return this.tables.changesPending();
	}

	/** The snapshots in the bucket, newest first. */
	public List<BlobInfo> list() throws IOException {
		return newestFirst(this.store.list(PREFIX));
	}

	private static List<BlobInfo> newestFirst(Collection<BlobInfo> objects) {
		return objects.stream()
			.filter((object) -> object.key().startsWith(PREFIX + "snapshot-") && object.key().endsWith(SUFFIX))
			.sorted(Comparator.comparing(BlobInfo::key).reversed())
			.toList();
	}

	/**
	 * Keeps the {@code keep} newest snapshots and the newest of each of the last {@code keep-days} days;
	 * the others go. A failure is only logged: the next snapshot tries again.
	 */
	void prune() {
		try {
			List<BlobInfo> snapshots = list();
			LocalDate firstDay = LocalDate.ofInstant(this.clock.instant(), ZoneOffset.UTC)
				.minusDays(Math.max(0, this.settings.keepDays() - 1));
			Set<LocalDate> daysKept = new HashSet<>();
			for (int i = 0; i < snapshots.size(); i++) {
				BlobInfo snapshot = snapshots.get(i);
				LocalDate day = dayOf(snapshot);
				boolean newestOfItsDay = this.settings.keepDays() > 0 && !day.isBefore(firstDay) && daysKept.add(day);
				if (i < this.settings.keep() || newestOfItsDay) {
					continue;
				}
				this.store.delete(snapshot.key());
				log.debug("Catalogue snapshot {} deleted: newer ones are kept", snapshot.key());
			}
		}
		catch (IOException | RuntimeException ex) {
			log.warn("Old catalogue snapshots could not be deleted: {}", ex.getMessage());
		}
	}

	private static LocalDate dayOf(BlobInfo snapshot) {
		String time = snapshot.key().substring((PREFIX + "snapshot-").length(), snapshot.key().length() - SUFFIX.length());
		try {
			return LocalDate.ofInstant(Instant.from(NAME_TIME.parse(time)), ZoneOffset.UTC);
		}
		catch (DateTimeParseException ex) {
			return LocalDate.ofInstant(snapshot.lastModified(), ZoneOffset.UTC);
		}
	}

	/**
	 * Writes the newest snapshot that reads back whole into this empty catalogue, each in a transaction of
	 * its own: one refused halfway (damaged, forged, under another name, of a retired key) leaves nothing,
	 * and the one before it is tried.
	 * @param bucket every object in the bucket: backups the snapshot lists whose object is gone are left out
	 */
	Restoration restoreNewest(List<BlobInfo> bucket) {
		List<Refused> refused = new ArrayList<>();
		Set<String> keys = new HashSet<>();
		bucket.forEach((object) -> keys.add(object.key()));
		for (BlobInfo snapshot : newestFirst(bucket)) {
			try {
				Restored restored = this.transaction.execute((status) -> {
					try {
						return restore(snapshot.key(), keys);
					}
					catch (IOException ex) {
						throw new java.io.UncheckedIOException(ex);
					}
				});
				log.info("Catalogue rebuild: snapshot {} restored ({})", snapshot.key(), restored.rows());
				return new Restoration(Optional.of(restored), refused);
			}
			catch (RuntimeException ex) {
				String reason = (ex instanceof java.io.UncheckedIOException io) ? io.getCause().getMessage()
						: ex.getMessage();
				log.warn("Catalogue rebuild: snapshot {} refused: {}", snapshot.key(), reason);
				refused.add(new Refused(snapshot.key(), "it cannot be read back: " + reason));
			}
		}
		return new Restoration(Optional.empty(), refused);
	}

	private Restored restore(String key, Set<String> bucket) throws IOException {
		CatalogueTables.Importer importer = this.tables.importer();
		try (BufferedReader in = new BufferedReader(new InputStreamReader(
				new GZIPInputStream(new DecryptingInputStream(this.store.read(key), this.keyring), 64 * 1024),
				StandardCharsets.UTF_8))) {
			JsonNode header = parse(in.readLine(), "its header");
			if (!FORMAT.equals(header.path("format").asString("")) || header.path("version").asInt(0) != 1) {
				throw new IOException("it is not a catalogue snapshot of a version this Coffer reads");
			}
			if (!key.equals(header.path("object_key").asString(""))) {
				throw new IOException("it was written as " + header.path("object_key").asString("")
						+ ", not under the name it is stored under: an older state is not taken for a newer one");
			}
			Instant writtenAt = Instant.parse(header.path("written_at").asString());
			String line;
			while ((line = in.readLine()) != null) {
				JsonNode entry = parse(line, "a line");
				if (entry.has("end")) {
					Map<String, Long> expected = new LinkedHashMap<>();
					entry.path("end").path("rows").properties()
						.forEach((count) -> expected.put(count.getKey(), count.getValue().asLong()));
					Map<String, Long> read = new LinkedHashMap<>();
					expected.keySet().forEach((table) -> read.put(table, importer.rows().getOrDefault(table, 0L)));
					if (!expected.equals(read) || !expected.keySet().containsAll(importer.rows().keySet())) {
						throw new IOException("it holds " + importer.rows() + " rows where its end says " + expected);
					}
					if (in.readLine() != null) {
						throw new IOException("it goes on after its end");
					}
					List<String> inFlight = importer.dropBackupsInFlight();
					List<String> withoutObject = importer.dropBackupsWithout(bucket);
					List<String> segmentsWithoutObject = importer.dropSegmentsWithout(bucket);
					importer.releaseArchiverLeases();
					importer.finish();
					// the next snapshot is named after this one, whatever this instance's clock says
					this.tables.recordWritten(new CatalogueTables.Written(writtenAt, key));
					return new Restored(key, writtenAt, expected, inFlight, withoutObject, segmentsWithoutObject);
				}
				importer.row(entry.path("table").asString(""), entry.path("row"));
			}
			throw new IOException("it is cut short: it has no end line");
		}
	}

	private static JsonNode parse(String line, String what) throws IOException {
		if (line == null) {
			throw new IOException("it is empty");
		}
		try {
			return json.readTree(line);
		}
		catch (JacksonException ex) {
			throw new IOException(what + " is not JSON: " + ex.getOriginalMessage());
		}
	}

}
