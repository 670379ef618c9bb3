package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.coffer.archive.ArchiveFormat;
import io.coffer.archive.ArchiveReader;
import io.coffer.archive.ArchiveContents;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobNotFoundException;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobStoreException;
import io.coffer.storage.CopyStore;
import tools.jackson.databind.json.JsonMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Reads retained backups back whole, as a restore would before loading, without a Redis server: the
 * object is present and of its recorded size, decrypts and authenticates, the archive's and the dump's
 * digests match the catalogue, the archive is well-formed and its RDB parses to the end. What it finds
 * is recorded on the backup ({@code verified_at}, {@code integrity_error}): a damaged backup is then never
 * "latest", and retention keeps a sound one in its place.
 */
@Component
class BackupVerification {

	/** Runs a day holds: the schedule's, one an hour, so that a day's reads are spread over it. */
	static final int RUNS_PER_DAY = 24;

	private static final Logger log = LoggerFactory.getLogger(BackupVerification.class);

	private final BackupRepository backups;

	private final BlobStore store;

	private final ArchiveReader archives;

	private final JsonMapper json;

	private final CopyStore copies;

	private final VerifyProperties settings;

	private final Clock clock;

	BackupVerification(BackupRepository backups, BlobStore store, ArchiveReader archives, JsonMapper json,
			CopyStore copies, VerifyProperties settings, Clock clock) {
		this.copies = copies;
		this.backups = backups;
		this.store = store;
		this.archives = archives;
		this.json = json;
		this.settings = settings;
		this.clock = clock;
	}

	/**
	 * One of the day's runs: every database's backups not verified within the last day, within a
	 * {@link #RUNS_PER_DAY}th of {@code coffer.verify.max-bytes-per-day}, so that each backup is verified at
	 * most once a day and a day's runs read at most the budget between them (and the backup each crosses it by).
	 */
	Result runShare() {
		long perDay = this.settings.maxBytesPerDay().toBytes();
		long share = (perDay == 0) ? 0 : (perDay + RUNS_PER_DAY - 1) / RUNS_PER_DAY;
		return run(null, share, this.clock.instant().minus(Duration.ofDays(1)));
	}

	/** Every retained backup of one database, whatever the budget and however recently verified: the operator asked. */
	Result runDatabase(String databaseId) {
		return run(databaseId, 0, null);
	}

	/**
	 * Verifies the retained backups of one database, or of all ({@code databaseId} null), that nothing found
	 * damaged yet (what did stays recorded, and reading them again would not clear it), not verified since
	 * {@code verifiedBefore} (null: however recently), the never verified first, then those verified longest
	 * ago, until {@code budget} stored bytes have been read (0: no limit). The backup that crosses the budget
	 * is still read whole: one larger than the budget is verified too, on a run of its own.
	 */
	Result run(String databaseId, long budget, Instant verifiedBefore) {
		long read = 0;
		List<String> sound = new ArrayList<>();
		List<String> damaged = new ArrayList<>();
		List<String> notVerified = new ArrayList<>();
		List<String> fromCopy = new ArrayList<>();
		List<Backup> candidates = this.backups.findToVerify(databaseId, verifiedBefore);
		int left = candidates.size();
		for (Backup backup : candidates) {
			if (budget > 0 && read >= budget) {
				break;
			}
			left--;
			read += (backup.storedSize() != null) ? backup.storedSize() : 0;
			Optional<String> problem;
			try {
				problem = problem(backup, fromCopy);
			}
			catch (BlobStoreException ex) {
				// storage that does not answer says nothing about the backup: it is tried again next run
				log.warn("Verification of backup {} of {} did not run: {}", backup.id(), backup.databaseId(),
						ex.getMessage());
				notVerified.add(backup.id());
				continue;
			}
			this.backups.recordVerification(backup.id(), problem.orElse(null), this.clock.instant());
			if (problem.isPresent()) {
				log.error("Verification of backup {} of {} found it damaged: {}", backup.id(), backup.databaseId(),
						problem.get());
				damaged.add(backup.id());
			}
			else {
				sound.add(backup.id());
			}
		}
		return new Result(sound, damaged, notVerified, fromCopy, left, read);
	}

	/**
	 * What is wrong with the backup's stored object, empty when it was read whole and matched: from its copy
	 * (added to {@code fromCopy}) when the primary object is missing, of another size or damaged and the copy
	 * store holds a copy.
	 */
	private Optional<String> problem(Backup backup, List<String> fromCopy) throws BlobStoreException {
		String missing = "verification: the stored object " + backup.objectKey() + " is missing";
		boolean copied = this.copies.isConfigured() && backup.copy() != null && backup.copy().isDone();
		try {
			Optional<BlobInfo> object = this.store.stat(backup.objectKey());
			Optional<String> primary = Optional.empty();
			if (object.isEmpty()) {
				primary = Optional.of(missing);
			}
			else if (backup.storedSize() != null && object.get().size() != backup.storedSize()) {
				primary = Optional.of("verification: the stored object is " + object.get().size() + " bytes, not the "
						+ backup.storedSize() + " bytes recorded when it was taken");
			}
			if (primary.isPresent() && !copied) {
				return primary;
			}
			String source;
			try (ArchiveContents archive = ArchiveContents.open(this.archives, backup, ArchiveFormat.NEWEST_RDB_VERSION)) {
				archive.copyDump(OutputStream.nullOutputStream(), 0);
				archive.finish(this.json);
				source = archive.source();
			}
			if (!ArchiveReader.COPY.equals(source)) {
				// a primary of another size whose recorded bytes still read well is damaged all the same
				return primary;
			}
			log.warn("Verification of backup {} of {}: its primary object is missing or damaged; its copy is sound",
					backup.id(), backup.databaseId());
			fromCopy.add(backup.id());
			return Optional.empty();
		}
		catch (BlobNotFoundException ex) {
			// gone between the look and the read
			return Optional.of(missing);
		}
		catch (BlobStoreException ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			return Optional.of("verification: " + RestoreSteps.sentence(ex));
		}
	}

	/**
	 * Backup ids by outcome ({@code fromCopy}: sound, read from the copy store since their primary object was
	 * not); {@code left} backups wait for a later run, {@code storedBytes} were read.
	 */
	record Result(List<String> sound, List<String> damaged, List<String> notVerified, List<String> fromCopy, int left,
			long storedBytes) {

		String describe() {
			return sound.size() + " backups verified sound" + (fromCopy.isEmpty() ? "" : " (" + fromCopy.size()
					+ " from their copy, the primary object missing or damaged: " + fromCopy + ")") + ", "
					+ damaged.size() + " damaged"
					+ (damaged.isEmpty() ? "" : " " + damaged) + ", " + notVerified.size() + " not verified"
					+ (notVerified.isEmpty() ? "" : " (storage did not answer: see the log)") + "; " + storedBytes
					+ " stored bytes read, " + left + " backups left for the next runs";
		}

	}

}
