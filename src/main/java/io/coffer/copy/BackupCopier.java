package io.coffer.copy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Optional;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.InstanceTimeout;
import io.coffer.catalog.StoppedInstances;
import io.coffer.pipeline.DigestingOutputStream;
import io.coffer.storage.BlobNotFoundException;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobStoreException;
import io.coffer.storage.BlobUpload;
import io.coffer.storage.CopyStore;
import io.coffer.storage.StoredBlob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Copies a done backup's stored object to the copy store, as it is: the encrypted bytes are streamed from one
 * store to the other (memory: the copy store's two upload parts and a read buffer), never decrypted, never on
 * local disk. The copy is kept only when its size and SHA-256 are those recorded when the backup was taken, so
 * that a damaged primary is never copied as if it were sound.
 * <p>
 * Each copy is claimed first, a compare-and-set on the row: two instances never copy one backup at once, and a
 * claim left by an instance that stopped mid-copy (killed) is taken over once the cluster counts it as stopped
 * ({@link InstanceTimeout}), or by this instance after its restart.
 */
@Component
public class BackupCopier {

	private static final Logger log = LoggerFactory.getLogger(BackupCopier.class);

	private static final int BUFFER_SIZE = 256 * 1024;

	/** Due copies one catch-up looks at, at most: the next run takes the rest. */
	static final int BATCH = 1000;

	private static final String PRIMARY_STORE = "the backup's own store";

	private static final String COPY_STORE = "the copy store";

	private final BackupRepository backups;

	private final BlobStore primary;

	private final CopyStore copies;

	private final InstanceTimeout instanceTimeout;

	private final Clock clock;

	BackupCopier(BackupRepository backups, BlobStore primary, CopyStore copies, InstanceTimeout instanceTimeout,
			Clock clock) {
		this.backups = backups;
		this.primary = primary;
		this.copies = copies;
		this.instanceTimeout = instanceTimeout;
		this.clock = clock;
	}

	/** What one catch-up did. */
	public record Result(int copied, int failed, int skipped) {

		String describe() {
			return this.copied + " backups copied, " + this.failed + " failed (tried again next run), " + this.skipped
					+ " copied by another instance or no longer due";
		}

	}

	public boolean isConfigured() {
		return this.copies.isConfigured();
	}

	/** Copies every due backup (pending first, then the failed ones, oldest first) that nobody else is copying. */
	public Result catchUp() {
		if (!this.copies.isConfigured()) {
			return new Result(0, 0, 0);
		}
		int copied = 0;
		int failed = 0;
		int skipped = 0;
		for (String backupId : this.backups.findCopiesDue(BATCH)) {
			switch (copy(backupId)) {
				case COPIED -> copied++;
				case FAILED -> failed++;
				case SKIPPED -> skipped++;
			}
		}
		Result result = new Result(copied, failed, skipped);
		if (copied + failed > 0) {
			log.info("Copies: {}", result.describe());
		}
		return result;
	}

	/** How one backup's copy went. */
	enum Outcome {
		COPIED, FAILED, SKIPPED
	}

	/** Copies one backup if it is due and this instance wins its claim. */
	Outcome copy(String backupId) {
		StoppedInstances stopped = this.instanceTimeout.stoppedNow();
		Optional<Backup> claimed = this.backups.claimCopy(backupId, stopped, this.clock.instant());
		if (claimed.isEmpty()) {
			return Outcome.SKIPPED;
		}
		Backup backup = claimed.get();
		String me = stopped.me();
		try {
			transfer(backup);
		}
		catch (IOException | RuntimeException ex) {
			log.warn("The copy of backup {} of {} failed: {}", backup.id(), backup.databaseId(), ex.getMessage());
			this.backups.recordCopyFailed(backup.id(), me, sentence(ex));
			return Outcome.FAILED;
		}
		if (this.backups.recordCopied(backup.id(), me, backup.storedSha256(), this.clock.instant())) {
			log.info("Backup {} of {} is copied to the {}", backup.id(), backup.databaseId(), this.copies);
			return Outcome.COPIED;
		}
		// deleted by retention meanwhile, or re-wrapped into another object: this copy is nobody's
		deleteCopy(backup);
		return Outcome.SKIPPED;
	}

	private void transfer(Backup backup) throws IOException {
		BlobStore target = side(COPY_STORE, this.copies::ready);
		BlobUpload upload = side(COPY_STORE, () -> target.openUpload(backup.objectKey()));
		DigestingOutputStream copy = new DigestingOutputStream(upload);
		try (InputStream stored = side(PRIMARY_STORE, () -> this.primary.read(backup.objectKey()))) {
			byte[] buffer = new byte[BUFFER_SIZE];
			while (true) {
				int read = side(PRIMARY_STORE, () -> stored.read(buffer));
				if (read == -1) {
					break;
				}
				side(COPY_STORE, () -> {
					copy.write(buffer, 0, read);
					return null;
				});
			}
			copy.finish();
			if (copy.size() != backup.storedSize() || !copy.sha256Hex().equals(backup.storedSha256())) {
				throw new IOException("the primary object is " + copy.size() + " bytes of SHA-256 " + copy.sha256Hex()
						+ ", not the " + backup.storedSize() + " bytes of SHA-256 " + backup.storedSha256()
						+ " recorded when it was taken: it was not copied");
			}
			StoredBlob completed = side(COPY_STORE, upload::complete);
			if (completed.size() != backup.storedSize()) {
				throw new IOException("the copy store holds " + completed.size() + " bytes of the copy, not "
						+ backup.storedSize());
			}
		}
		catch (IOException | RuntimeException ex) {
			try {
				upload.abort();
			}
			catch (IOException | RuntimeException abortFailure) {
				ex.addSuppressed(abortFailure);
			}
			throw ex;
		}
	}

	/** One call to a store; a failure of the store says which one it was, the only one of the two named. */
	private static <T> T side(String store, StoreCall<T> call) throws IOException {
		try {
			return call.call();
		}
		catch (BlobNotFoundException ex) {
			throw ex;
		}
		catch (BlobStoreException ex) {
			throw new BlobStoreException(store + ": " + ex.getMessage(), store + ": " + ex.publicMessage(), ex);
		}
	}

	@FunctionalInterface
	private interface StoreCall<T> {

		T call() throws IOException;

	}

	private void deleteCopy(Backup backup) {
		try {
			this.copies.ready().delete(backup.objectKey());
		}
		catch (IOException ex) {
			// the orphan sweep of the copy store takes it later
			log.warn("The copy of backup {}, no longer needed, could not be deleted: {}", backup.id(), ex.getMessage());
		}
	}

	/** Why a copy failed, naming no endpoint, bucket or key: it is shown with the backup. */
	private static String sentence(Exception failure) {
		if (failure instanceof BlobNotFoundException) {
			return "the primary object is missing: there is nothing to copy";
		}
		if (failure instanceof BlobStoreException storage) {
			return storage.publicMessage();
		}
		return String.valueOf(failure.getMessage());
	}

}
