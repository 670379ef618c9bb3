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
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Compares object storage with the catalogue: objects that no backup row names, and successful
 * backups whose object is gone. Both are reported (log and the gauges {@code coffer.orphan.objects}
 * and {@code coffer.missing.objects}); once older than the grace period, the object is deleted, or
 * the backup becomes {@code error} ("object missing from storage"). The grace covers uploads being
 * committed and someone repairing storage by hand.
 */
@Component
public class SweepOrphanObjectsTask {

	static final String MISSING = "object missing from storage";

	private static final Logger log = LoggerFactory.getLogger(SweepOrphanObjectsTask.class);

	private final BackupRepository backups;

	private final BlobStore store;

	private final HousekeepingProperties settings;

	private final Clock clock;

	private final AtomicInteger orphans = new AtomicInteger();

	private final AtomicInteger missing = new AtomicInteger();

	SweepOrphanObjectsTask(BackupRepository backups, BlobStore store, HousekeepingProperties settings,
			Clock clock, MeterRegistry meters) {
		this.backups = backups;
		this.store = store;
		this.settings = settings;
		this.clock = clock;
		Gauge.builder("coffer.orphan.objects", this.orphans, AtomicInteger::get)
			.description("Objects in storage that no backup names, at the last sweep")
			.register(meters);
		Gauge.builder("coffer.missing.objects", this.missing, AtomicInteger::get)
			.description("Successful backups whose object is missing from storage, at the last sweep")
			.register(meters);
	}

	public record Result(int orphanObjects, int missingObjects, int objectsDeleted, int backupsFailed) {
	}

	record Row(String id, String objectKey, String status, Instant createdAt) {
	}

	public Result run() {
		Instant now = this.clock.instant();
		Instant graceStart = now.minus(this.settings.orphanGrace());
		// rows first: an object uploaded after this read is younger than the grace, never deleted
		Map<String, Row> rowsByKey = new HashMap<>();
		for (Row row : rows()) {
			rowsByKey.put(row.objectKey(), row);
		}
		List<BlobInfo> objects = objects();
		Map<String, BlobInfo> objectsByKey = new HashMap<>();
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
					this.store.delete(object.key());
					deleted++;
					log.warn("Deleted object {}: no backup names it", object.key());
				}
				catch (IOException ex) {
					log.warn("Orphan object {} could not be deleted: {}", object.key(), ex.getMessage());
				}
			}
			else {
				log.warn("Object {} has no backup; it is deleted if it still has none after {}", object.key(),
						this.settings.orphanGrace());
			}
		}
		int missingCount = 0;
		int failed = 0;
		for (Row row : rowsByKey.values()) {
			if (!"done".equals(row.status()) || objectsByKey.containsKey(row.objectKey())) {
				continue;
			}
			missingCount++;
			if (row.createdAt().isBefore(graceStart)) {
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
		return new Result(orphanCount, missingCount, deleted, failed);
	}

	private List<Row> rows() {
		return this.backups.findAllKept()
			.stream()
			.map((backup) -> new Row(backup.id(), backup.objectKey(), backup.status().value(), backup.createdAt()))
			.toList();
	}

	private List<BlobInfo> objects() {
		try {
			// the catalogue's own snapshots are no backup's, and have their own retention
			return this.store.list("")
				.stream()
				.filter((object) -> !object.key().startsWith(CatalogueSnapshots.PREFIX))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("object storage cannot be listed: " + ex.getMessage(), ex);
		}
	}

}
