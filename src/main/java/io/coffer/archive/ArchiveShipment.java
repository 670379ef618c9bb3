package io.coffer.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.BackupTakenOver;
import io.coffer.catalog.RunStatus;
import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobStoreException;
import io.coffer.storage.BlobUpload;
import io.coffer.system.ServiceProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Ships a dump into object storage as a backup's archive, then commits it: the one way for a backup's
 * snapshot and an imported dump alike. The row becomes {@code done} only once the upload is complete and
 * the stored object's size checked; a shipment that fails aborts its multipart upload, so that no part
 * of it is ever stored. What becomes of the row after a failure is the caller's to say.
 */
@Component
public class ArchiveShipment {

	private static final Logger log = LoggerFactory.getLogger(ArchiveShipment.class);

	private final BackupRepository backups;

	private final BlobStore store;

	private final Keyring keyring;

	private final JsonMapper json;

	private final Compression compression;

	private final Clock clock;

	/** {@code <data-dir>/spool}: the owner-only copies a diskless backup digests at its end. */
	private final Path spoolFolder;

	ArchiveShipment(BackupRepository backups, BlobStore store, Keyring keyring, JsonMapper json,
			Compression compression, Clock clock, ServiceProperties service) {
		this.backups = backups;
		this.store = store;
		this.keyring = keyring;
		this.json = json.rebuild().enable(SerializationFeature.INDENT_OUTPUT).build();
		this.compression = compression;
		this.clock = clock;
		this.spoolFolder = service.dataDir().resolve("spool").toAbsolutePath();
		removeLeftoverSpools(this.spoolFolder);
	}

	/**
	 * Spools are removed when their backup ends, however it ends; a process killed meanwhile leaves its
	 * own, removed here at the next start (a spool still being written elsewhere lives on: its file is open).
	 */
	private static void removeLeftoverSpools(Path folder) {
		if (!Files.isDirectory(folder)) {
			return;
		}
		try (Stream<Path> files = Files.list(folder)) {
			files.filter((file) -> file.getFileName().toString().endsWith(".spool")).forEach((file) -> {
				try {
					Files.deleteIfExists(file);
				}
				catch (IOException ex) {
					log.warn("Could not remove the leftover backup spool {}: {}", file, ex.getMessage());
				}
			});
		}
		catch (IOException ex) {
			log.warn("Could not list the backup spools in {}: {}", folder, ex.getMessage());
		}
	}

	/**
	 * Streams {@code rdb} (of {@code rdbLength} bytes, or -1 when the node streams it without announcing its
	 * length: then {@link DisklessArchiveWriter}) through the archive pipeline into the backup's
	 * object, encrypted with the newest key, and records how far it got on the way and the keys with a
	 * time to live it counted.
	 * @param manifestOf builds the manifest once the dump's version, size and digest are known
	 */
	public ArchiveWriter.Shipped ship(Backup backup, InputStream rdb, long rdbLength,
			Function<ArchiveWriter.Shipped, BackupManifest> manifestOf) throws IOException {
		KeyEncryptionKey kek = this.keyring.newest();
		boolean diskless = rdbLength < 0 && this.store.heldBackStart() >= DisklessArchiveWriter.rewrittenStart();
		BlobUpload upload = diskless ? this.store.openUploadHoldingStart(backup.objectKey())
				: this.store.openUpload(backup.objectKey());
		LongConsumer progress = (bytes) -> this.backups.recordProgress(backup.id(), bytes);
		try {
			ArchiveWriter.Shipped shipped = diskless
					? new DisklessArchiveWriter(this.compression.level(), this.compression.threads(),
							ArchiveFormat.NEWEST_RDB_VERSION, this.spoolFolder)
						.write(rdb, backup.createdAt(), kek, upload, manifestOf, progress, this.json::writeValueAsBytes)
					: new ArchiveWriter(this.compression.level(), this.compression.threads(), ArchiveFormat.NEWEST_RDB_VERSION)
						.write(rdb, rdbLength, backup.createdAt(), kek, upload, manifestOf, progress,
								this.json::writeValueAsBytes);
			this.backups.recordExpiringKeys(backup.id(), shipped.expiringKeysPerDb());
			return shipped;
		}
		catch (IOException | RuntimeException ex) {
			ArchiveWriter.abortQuietly(upload, ex);
			throw ex;
		}
	}

	/**
	 * The row becomes {@code done} only once the stored object is there, whole; an object of another size
	 * is removed.
	 * @throws BlobStoreException if the object is missing or not the size that was written
	 */
	public void commit(Backup backup, Backup.Outcome outcome) throws IOException {
		BlobInfo stored = this.store.stat(backup.objectKey())
			.orElseThrow(() -> storageLost("the uploaded backup is missing from object storage"));
		if (stored.size() != outcome.storedSize()) {
			this.store.delete(backup.objectKey());
			throw storageLost("object storage holds " + stored.size() + " bytes of the backup where "
					+ outcome.storedSize() + " were written; the object was removed");
		}
		try {
			this.backups.markDone(backup.id(), outcome, this.clock.instant());
		}
		catch (RunStatus.IllegalStateTransitionException ex) {
			// no longer running: recorded as interrupted by another instance while this one was paused
			throw new BackupTakenOver(backup.id(), ex);
		}
	}

	/** Names no endpoint, bucket or key: the sentence may be shown as it is. */
	private static BlobStoreException storageLost(String sentence) {
		return new BlobStoreException(sentence, sentence, null);
	}

}
