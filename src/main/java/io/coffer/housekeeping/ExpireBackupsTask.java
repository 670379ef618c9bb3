package io.coffer.housekeeping;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.storage.BlobStore;
import io.coffer.storage.CopyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * Applies each database's retention policy. A backup goes in an order that cannot lose track of
 * data: its row is marked, its object (and its copy) deleted, then its row. A crash between two steps leaves a
 * marked row, which the next run finishes first.
 * <p>
 * The archived replication stream of point-in-time recovery goes with its bases: a segment (or a gap) older than the
 * oldest base backup left can no longer be replayed from any base, so its object, then its row, go too.
 */
@Component
public class ExpireBackupsTask {

	private static final Logger log = LoggerFactory.getLogger(ExpireBackupsTask.class);

	private final BackupRepository catalogue;

	private final BlobStore store;

	private final CopyStore copies;

	private final PitrRepository pitr;

	private final RetentionPolicy policy;

	private final String defaultFamily;

	private final Clock clock;

	ExpireBackupsTask(BackupRepository catalogue, BlobStore store, CopyStore copies, PitrRepository pitr,
			RetentionProperties settings, Clock clock) {
		this.catalogue = catalogue;
		this.store = store;
		this.copies = copies;
		this.pitr = pitr;
		this.policy = new RetentionPolicy(settings.keepFailed(),
				settings.finalBackup());
		this.defaultFamily = settings.defaultPlanFamily();
		this.clock = clock;
	}

	/** What one run did; {@code segments}: segments of archived streams deleted with their bases. */
	public record Result(int marked, int deleted, int failed, int segments) {
	}

	public Result run() {
		Result leftOver = deleteMarked();
		int marked = markExpired();
		Result now = deleteMarked();
		int segments = expireArchivedStreams();
		Result result = new Result(marked, leftOver.deleted() + now.deleted(), now.failed(), segments);
		log.info("Retention: {} backups expired, {} deleted, {} could not be deleted yet; {} archived segments deleted",
				result.marked(), result.deleted(), result.failed(), result.segments());
		return result;
	}

	/** Step 1 for every database: marks what its policy expires. */
	int markExpired() {
		Instant now = this.clock.instant();
		int marked = 0;
		for (BackupRepository.DatabaseOfBackups database : this.catalogue.databasesWithBackups()) {
			List<BackupRef> expired = this.policy.toDelete(backupsOf(database.id()), now,
					PlanFamily.of(database.plan(), this.defaultFamily), database.deletedAt());
			for (BackupRef backup : expired) {
				marked += this.catalogue.markForDeletion(backup.id(), now);
			}
		}
		return marked;
	}

	/** What the policy weighs of each backup of the database that is not marked yet. */
	private List<BackupRef> backupsOf(String databaseId) {
		return this.catalogue.findAll(databaseId)
			.stream()
			.map((backup) -> new BackupRef(backup.id(), backup.createdAt(), backup.method(), backup.status(),
					backup.integrityError() != null))
			.toList();
	}

	/**
	 * Steps 2 and 3 for every marked row: the object and its copy in the copy store (whatever its copy state: a
	 * copy cut short may have left one), then the row.
	 */
	Result deleteMarked() {
		int deleted = 0;
		int failed = 0;
		for (BackupRepository.MarkedForDeletion backup : this.catalogue.findMarkedForDeletion()) {
			try {
				this.store.delete(backup.objectKey());
				if (this.copies.isConfigured()) {
					this.copies.ready().delete(backup.objectKey());
				}
				this.catalogue.deleteMarked(backup.id());
				deleted++;
			}
			catch (IOException | DataIntegrityViolationException ex) {
				// left marked: the next run tries again
				failed++;
				log.warn("Backup {} could not be deleted yet: {}", backup.id(), ex.getMessage());
			}
		}
		return new Result(0, deleted, failed, 0);
	}

	/**
	 * For every database with an archived stream: the segments whose last command arrived before the oldest base
	 * backup left (every segment when no base is left) lose their object, then their row; the gaps that ended by
	 * it their row. A segment stopped between the two steps is found again by the next run.
	 */
	int expireArchivedStreams() {
		int deleted = 0;
		for (String databaseId : this.pitr.databasesWithArchive()) {
			Instant oldestBase = oldestBase(databaseId);
			for (PitrRepository.Segment segment : this.pitr.segmentsBefore(databaseId, oldestBase)) {
				try {
					this.store.delete(segment.objectKey());
					this.pitr.deleteSegment(segment.id());
					deleted++;
				}
				catch (IOException ex) {
					log.warn("Archived segment {} of {} could not be deleted yet: {}", segment.objectKey(), databaseId,
							ex.getMessage());
				}
			}
			this.pitr.deleteGapsBefore(databaseId, oldestBase);
		}
		return deleted;
	}

	/** When the database's oldest base backup left (a done backup whose replication position is known) was taken. */
	private Instant oldestBase(String databaseId) {
		return this.catalogue.findAll(databaseId)
			.stream()
			.filter((backup) -> backup.status() == RunStatus.DONE && backup.replication() != null)
			.map(Backup::createdAt)
			.min(Instant::compareTo)
			.orElse(null);
	}

}
