package io.coffer.backup;

import io.coffer.archive.ArchiveShipment;
import io.coffer.archive.ArchiveWriter;
import io.coffer.archive.BackupManifest;
import io.coffer.archive.ArchiveContents;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupInProgress;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.pipeline.rdb.InvalidRdbException;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobStoreException;
import io.coffer.storage.StorageUnavailable;
import io.coffer.system.CofferException;
import io.coffer.system.CofferInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * Imports an external dump as a backup of a database: the uploaded bytes go through the same one-pass
 * pipeline as a backup's snapshot ({@link ArchiveShipment}: RDB checked, tar, gzip, encryption, upload, commit),
 * while the request streams them, with no temporary file. The tar header needs the dump's size first:
 * a raw RDB's is the request's {@code Content-Length}, a {@code .tar.gz}'s is in its entry header.
 * <p>
 * Nobody counted the keys of an imported dump: its manifest and row have no keys per database (a
 * restore of it says it did not compare them), and its node is {@code import}.
 */
@Service
public class BackupImporter {

	private static final Logger log = LoggerFactory.getLogger(BackupImporter.class);

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final BackupLauncher launcher;

	private final BlobStore store;

	private final ArchiveShipment shipment;

	private final ImportProperties importing;

	private final CofferInstance instance;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final RunningBackups running;

	BackupImporter(DatabaseRepository databases, BackupRepository backups, BackupLauncher launcher, BlobStore store,
			ArchiveShipment shipment, ImportProperties importing, CofferInstance instance,
			ApplicationEventPublisher events, Clock clock, RunningBackups running) {
		this.running = running;
		this.databases = databases;
		this.backups = backups;
		this.launcher = launcher;
		this.store = store;
		this.shipment = shipment;
		this.importing = importing;
		this.instance = instance;
		this.events = events;
		this.clock = clock;
	}

	/**
	 * Imports a raw RDB of {@code length} bytes (the request's {@code Content-Length}).
	 * @return the {@code done} backup
	 * @throws CofferException {@code DatabaseNotFound}, {@code BackupInProgress} while a backup runs,
	 * {@link ImportLengthUnknown} without a length, {@link ImportTooLarge} beyond the limit, {@link ImportRefused}
	 * for a dump that is not a sound RDB (nothing is kept then)
	 */
	public Backup importRdb(String databaseId, InputStream rdb, long length) {
		Database database = database(databaseId);
		if (length < 0) {
			throw new ImportLengthUnknown(
					"send the dump with a Content-Length: the archive records its size before its bytes");
		}
		checkSize(length);
		return ship(database, rdb, length);
	}

	/**
	 * Imports a {@code .tar.gz} whose first file is {@code dump.rdb} (what a backup's download holds);
	 * anything after it is ignored.
	 */
	public Backup importArchive(String databaseId, InputStream gzip) {
		Database database = database(databaseId);
		ArchiveContents.UploadedDump dump;
		try {
			dump = ArchiveContents.firstDump(gzip);
		}
		catch (ArchiveContents.ArchiveCheckException ex) {
			throw new ImportRefused("invalid_archive", ex.getMessage());
		}
		catch (IOException ex) {
			throw new ImportRefused("invalid_archive", "the upload is not a .tar.gz: " + describe(ex));
		}
		checkSize(dump.size());
		return ship(database, dump.stream(), dump.size());
	}

	private Backup ship(Database database, InputStream rdb, long length) {
		Instant createdAt = this.launcher.creationSecond(database.id());
		String backupId = BackupNames.newId(createdAt);
		this.running.started(backupId);
		try {
			return shipAs(database, rdb, length, createdAt, backupId);
		}
		finally {
			this.running.ended(backupId);
		}
	}

	private Backup shipAs(Database database, InputStream rdb, long length, Instant createdAt, String backupId) {
		try {
			this.backups.insertScheduled(backupId, database.id(), createdAt, BackupNames.fileName(database, createdAt),
					Backup.IMPORT, BackupNames.objectKey(database, createdAt), this.instance.id());
		}
		catch (BackupRepository.BackupInFlightException ex) {
			throw new BackupInProgress("a backup of " + database.id()
					+ " is running; import once it has finished");
		}
		Backup backup = this.backups.find(database.id(), backupId).orElseThrow();
		this.backups.markImporting(backupId, new Backup.NodeUsed(Backup.IMPORT, null, 0, "an uploaded dump"),
				this.clock.instant());
		try {
			ArchiveWriter.Shipped shipped = this.shipment.ship(backup, rdb, length,
					(partial) -> new BackupManifest(BackupManifest.FORMAT_VERSION, backupId, database.id(),
							database.app(), createdAt, new BackupManifest.NodeUsed(Backup.IMPORT, null, 0), null,
							partial.rdbVersion(), partial.rdbSize(), partial.rdbSha256(), partial.keysPerDb(), Backup.IMPORT,
							partial.expiringKeysPerDb(), null));
			this.shipment.commit(backup, new Backup.Outcome(shipped.archiveSize(), shipped.archiveSha256(),
					shipped.storedSize(), shipped.storedSha256(), shipped.keyId(), null, shipped.rdbVersion(),
					shipped.rdbSize(), shipped.keysPerDb()));
		}
		catch (IOException | RuntimeException ex) {
			discard(backup, ex);
			throw refusal(ex);
		}
		Backup done = this.backups.find(database.id(), backupId).orElseThrow();
		log.info("Imported a dump of {} bytes (RDB version {}) as backup {} of {}", done.rdbSize(), done.rdbVersion(),
				backupId, database.id());
		this.events.publishEvent(BackupFinished.of(done, null));
		return done;
	}

	/** Nothing of a refused import is kept: no object (its upload was aborted already), no row. */
	private void discard(Backup backup, Exception cause) {
		try {
			this.store.delete(backup.objectKey());
		}
		catch (IOException | RuntimeException ex) {
			cause.addSuppressed(ex);
		}
		this.backups.deleteUnfinished(backup.id());
	}

	private static CofferException refusal(Exception ex) {
		if (ex instanceof InvalidRdbException) {
			return new ImportRefused("invalid_rdb", "the dump is not a sound RDB file: " + ex.getMessage()
					+ "; nothing was kept");
		}
		if (ex instanceof BlobStoreException storageFailure) {
			return new StorageUnavailable(storageFailure);
		}
		if (ex instanceof CofferException refused) {
			return refused;
		}
		if (ex instanceof IOException) {
			// what the shipper says of a short or long snapshot is just as true of an upload
			return new ImportRefused("invalid_upload", "the upload could not be read as a dump: "
					+ describe(ex).replace("snapshot", "upload").replace("the node announced", "announced")
					+ "; nothing was kept");
		}
		return new ImportFailed(
				"the import failed unexpectedly; nothing was kept", ex);
	}

	/** What went wrong reading the upload; a cut gzip stream says nothing but EOF. */
	private static String describe(Exception ex) {
		if (ex.getMessage() != null) {
			return ex.getMessage();
		}
		if (ex instanceof EOFException) {
			return "it ends too early (truncated)";
		}
		return ex.getClass().getSimpleName();
	}

	private void checkSize(long length) {
		long max = this.importing.maxSize().toBytes();
		if (length > max) {
			throw new ImportTooLarge("the dump is " + length
					+ " bytes, more than the " + max + " bytes an import may be (coffer.import.max-size)");
		}
	}

	private Database database(String databaseId) {
		return this.databases.findLive(databaseId).orElseThrow(() -> new DatabaseNotFound(databaseId));
	}

}
