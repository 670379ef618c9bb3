package io.coffer.housekeeping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.coffer.backup.CatalogueSnapshots;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.CopyStore;
import io.coffer.storage.PendingUpload;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Compares object storage with the catalogue: objects that no backup row names, and successful
 * backups whose object is gone. Both are reported (log and the gauges {@code coffer.orphan.objects}
 * and {@code coffer.missing.objects}); once older than the grace period, the object is deleted, or
 * the backup becomes {@code error} ("object missing from storage") unless its copy is done in the copy store,
 * which reads use then. The copy store is compared with the catalogue the same way. The grace covers uploads
 * being committed and someone repairing storage by hand.
 */
@Component
public class SweepOrphanObjectsTask {

	static final String MISSING = "object missing from storage";

	private static final Logger log = LoggerFactory.getLogger(SweepOrphanObjectsTask.class);

	private final BackupRepository backups;

	private final BlobStore store;

	private final CopyStore copies;

	private final HousekeepingProperties settings;

	private final Clock clock;

	private final AtomicInteger orphans = new AtomicInteger();

	private final AtomicInteger missing = new AtomicInteger();

	SweepOrphanObjectsTask(BackupRepository backups, BlobStore store, CopyStore copies, HousekeepingProperties settings,
			Clock clock, MeterRegistry meters) {
		this.backups = backups;
		this.store = store;
		this.copies = copies;
		this.settings = settings;
		this.clock = clock;
		Gauge.builder("coffer.orphan.objects", this.orphans, AtomicInteger::get)
			.description("Objects in storage that no backup names, at the last sweep")
			.register(meters);
		Gauge.builder("coffer.missing.objects", this.missing, AtomicInteger::get)
			.description("Successful backups whose object is missing from storage, at the last sweep")
			.register(meters);
	}

	/**
	 * What one sweep found: in the primary store, and in the copy store ({@code copyOrphans} objects no backup
	 * names, {@code copiesDeleted} of them deleted, {@code copiesMissing} copies recorded done that are not there,
	 * to be made again); {@code servedFromCopy} of the backups without their object still have their copy.
	 */
	public record Result(int orphanObjects, int missingObjects, int objectsDeleted, int backupsFailed,
			int servedFromCopy, int copyOrphans, int copiesDeleted, int copiesMissing) {
	}

	record Row(String id, String objectKey, String status, Instant createdAt, boolean copied) {
	}

	public Result run() {
		Instant now = this.clock.instant();
		Instant graceStart = now.minus(this.settings.orphanGrace());
		// rows first: an object uploaded after this read is younger than the grace, never deleted
		Map<String, Row> rowsByKey = new HashMap<>();
		for (Row row : rows()) {
			rowsByKey.put(row.objectKey(), row);
		}
		Map<String, BlobInfo> objectsByKey = new HashMap<>();
		int[] orphans = orphans(this.store, objects(this.store), rowsByKey, graceStart, objectsByKey, "");
		int orphanCount = orphans[0];
		int deleted = orphans[1];
		int missingCount = 0;
		int failed = 0;
		int servedFromCopy = 0;
		for (Row row : rowsByKey.values()) {
			if (!"done".equals(row.status()) || objectsByKey.containsKey(row.objectKey())) {
				continue;
			}
			missingCount++;
			if (row.copied() && this.copies.isConfigured()) {
				// not lost: reads use the copy, and the copy pass below checks that it is there
				servedFromCopy++;
				log.error("Backup {}: its object {} is missing from storage; its copy in the copy store is read instead",
						row.id(), row.objectKey());
				this.backups.recordPrimaryFailure(row.id(), "the primary object is missing from its store");
			}
			else if (row.createdAt().isBefore(graceStart)) {
				try {
					this.backups.markLost(row.id(), MISSING, now);
					failed++;
					log.error("Backup {} is lost: its object {} is missing from storage", row.id(), row.objectKey());
				}
				catch (RuntimeException ex) {
					log.warn("Backup {} could not be marked lost: {}", row.id(), ex.getMessage());
				}
			}
			else {
				log.error("Backup {}: its object {} is missing from storage", row.id(), row.objectKey());
			}
		}
		this.orphans.set(orphanCount - deleted);
		this.missing.set(missingCount - failed);
		int[] copies = this.copies.isConfigured() ? sweepCopies(rowsByKey, graceStart) : new int[3];
		return new Result(orphanCount, missingCount, deleted, failed, servedFromCopy, copies[0], copies[1], copies[2]);
	}

	/**
	 * The same comparison in the copy store: objects no backup names are deleted after the grace, as are uploads
	 * of copies cut short (an instance killed mid-copy); a copy recorded done that is not there is made again.
	 * @return the orphans, those deleted, and the copies missing
	 */
	private int[] sweepCopies(Map<String, Row> rowsByKey, Instant graceStart) {
		BlobStore copyStore;
		List<BlobInfo> objects;
		try {
			copyStore = this.copies.ready();
			objects = objects(copyStore);
			for (PendingUpload upload : copyStore.pendingUploads("")) {
				if (upload.initiated() != null && upload.initiated().isBefore(graceStart)) {
					copyStore.abortPending(upload);
					log.warn("Aborted the copy upload of {} begun at {}: nothing finished it", upload.key(),
							upload.initiated());
				}
			}
		}
		catch (IOException | UncheckedIOException ex) {
			log.warn("The copy store could not be swept: {}", ex.getMessage());
			return new int[3];
		}
		Map<String, BlobInfo> objectsByKey = new HashMap<>();
		int[] orphans = orphans(copyStore, objects, rowsByKey, graceStart, objectsByKey, "copy ");
		int missingCount = 0;
		for (Row row : rowsByKey.values()) {
			if ("done".equals(row.status()) && row.copied() && !objectsByKey.containsKey(row.objectKey())) {
				missingCount++;
				log.error("Backup {}: its copy {} is missing from the copy store; it is copied again", row.id(),
						row.objectKey());
				this.backups.recordCopyMissing(row.id(), "the copy was found missing from the copy store: copied again");
			}
		}
		return new int[] { orphans[0], orphans[1], missingCount };
	}

	/**
	 * Objects of {@code store} that no row names, deleted once older than the grace; fills {@code objectsByKey}.
	 * @return the orphans, and those deleted
	 */
	private int[] orphans(BlobStore store, List<BlobInfo> objects, Map<String, Row> rowsByKey, Instant graceStart,
			Map<String, BlobInfo> objectsByKey, String which) {
		int orphanCount = 0;
		int deleted = 0;
		for (BlobInfo object : objects) {
			objectsByKey.put(object.key(), object);
			if (rowsByKey.containsKey(object.key())) {
				continue;
			}
			orphanCount++;
			if (object.lastModified().isBefore(graceStart)) {
				try {
					store.delete(object.key());
					deleted++;
					log.warn("Deleted {}object {}: no backup names it", which, object.key());
				}
				catch (IOException ex) {
					log.warn("Orphan {}object {} could not be deleted: {}", which, object.key(), ex.getMessage());
				}
			}
			else {
				log.warn("{}bject {} has no backup; it is deleted if it still has none after {}",
						which.isEmpty() ? "O" : "Copy o", object.key(), this.settings.orphanGrace());
			}
		}
		return new int[] { orphanCount, deleted };
	}

	private List<Row> rows() {
		return this.backups.findAllKept()
			.stream()
			.map((backup) -> new Row(backup.id(), backup.objectKey(), backup.status().value(), backup.createdAt(),
					backup.copy() != null && backup.copy().isDone()))
			.toList();
	}

	private static List<BlobInfo> objects(BlobStore store) {
		try {
			// the catalogue's own snapshots and the segments of point-in-time recovery are no backup's, and
			// have their own retention
			return store.list("")
				.stream()
				.filter((object) -> !object.key().startsWith(CatalogueSnapshots.PREFIX))
				.filter((object) -> !object.key().startsWith(PitrRepository.OBJECT_PREFIX))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("object storage cannot be listed: " + ex.getMessage(), ex);
		}
	}

}
