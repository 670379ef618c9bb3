package io.coffer.backup;

import io.coffer.archive.ArchiveShipper;
import io.coffer.archive.BackupManifest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.crypto.Keyring;
import io.coffer.pipeline.GzipMembersInputStream;
import io.coffer.pipeline.InvalidRdbException;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobStoreException;
import io.coffer.storage.BlobUpload;
import io.coffer.system.ApiException;
import io.coffer.system.CofferInstance;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Imports an external dump as a backup of a database: the uploaded bytes go through the same one-pass
 * pipeline as a backup's snapshot ({@link ArchiveShipper}: RDB checked, tar, gzip, encryption, upload),
 * while the request streams them, with no temporary file. The tar header needs the dump's size first:
 * a raw RDB's is the request's {@code Content-Length}, a {@code .tar.gz}'s is in its entry header.
 * <p>
 * Nobody counted the keys of an imported dump: its manifest and row have no keys per database (a
 * restore of it says it did not compare them), and its node is {@code import}.
 */
@Service
public class BackupImporter {

	private static final Logger log = LoggerFactory.getLogger(BackupImporter.class);

	static final String DUMP = "dump.rdb";

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final BackupLauncher launcher;

	private final BlobStore store;

	private final Keyring keyring;

	private final JsonMapper json;

	private final BackupProperties settings;

	private final ImportProperties importing;

	private final CofferInstance instance;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	BackupImporter(DatabaseRepository databases, BackupRepository backups, BackupLauncher launcher, BlobStore store,
			Keyring keyring, JsonMapper json, BackupProperties settings, ImportProperties importing,
			CofferInstance instance,
			ApplicationEventPublisher events, Clock clock) {
		this.databases = databases;
		this.backups = backups;
		this.launcher = launcher;
		this.store = store;
		this.keyring = keyring;
		this.json = json.rebuild().enable(SerializationFeature.INDENT_OUTPUT).build();
		this.settings = settings;
		this.importing = importing;
		this.instance = instance;
		this.events = events;
		this.clock = clock;
	}

	/**
	 * Imports a raw RDB of {@code length} bytes (the request's {@code Content-Length}).
	 * @return the {@code done} backup
	 * @throws ApiException 404, 409 while a backup runs, 411 without a length, 413 beyond the limit, 422
	 * for a dump that is not a sound RDB (nothing is kept then)
	 */
	public Backup importRdb(String databaseId, InputStream rdb, long length) {
		Database database = database(databaseId);
		if (length < 0) {
			throw new ApiException(HttpStatus.LENGTH_REQUIRED, "length_required",
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
		TarArchiveInputStream tar;
		TarArchiveEntry entry;
		try {
			tar = new TarArchiveInputStream(new GzipMembersInputStream(gzip));
			entry = tar.getNextEntry();
			while (entry != null && entry.isDirectory()) {
				entry = tar.getNextEntry();
			}
		}
		catch (IOException ex) {
			throw ApiException.unprocessable("invalid_archive", "the upload is not a .tar.gz: " + describe(ex));
		}
		if (entry == null) {
			throw ApiException.unprocessable("invalid_archive", "the archive holds no dump.rdb");
		}
		String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
		if (!entry.isFile() || !DUMP.equals(name)) {
			throw ApiException.unprocessable("invalid_archive", "the archive's first file is \"" + entry.getName()
					+ "\": it must be dump.rdb");
		}
		checkSize(entry.getSize());
		// the tar stream ends at the end of the entry: exactly the dump's bytes
		return ship(database, tar, entry.getSize());
	}

	private Backup ship(Database database, InputStream rdb, long length) {
		Instant createdAt = this.launcher.creationSecond(database.id());
		String backupId = BackupNames.newId(createdAt);
		try {
			this.backups.insertScheduled(backupId, database.id(), createdAt, BackupNames.fileName(database, createdAt),
					Backup.IMPORT, BackupNames.objectKey(database, createdAt), this.instance.id());
		}
		catch (BackupRepository.BackupInFlightException ex) {
			throw ApiException.conflict("backup_in_progress", "a backup of " + database.id()
					+ " is running; import once it has finished");
		}
		Backup backup = this.backups.find(database.id(), backupId).orElseThrow();
		this.backups.markImporting(backupId, new Backup.NodeUsed(Backup.IMPORT, null, 0, "an uploaded dump"),
				this.clock.instant());
		ArchiveShipper shipper = new ArchiveShipper(this.settings.compressionLevel(),
				this.settings.effectiveCompressionThreads(), BackupSteps.MAX_RDB_VERSION);
		KeyEncryptionKey kek = this.keyring.newest();
		BlobUpload upload = null;
		try {
			upload = this.store.openUpload(backup.objectKey());
			ArchiveShipper.Shipped shipped = shipper.ship(rdb, length, createdAt, kek, upload,
					(partial) -> new BackupManifest(BackupManifest.FORMAT_VERSION, backupId, database.id(),
							database.app(), createdAt, new BackupManifest.NodeUsed(Backup.IMPORT, null, 0), null,
							partial.rdbVersion(), partial.rdbSize(), partial.rdbSha256(), partial.keysPerDb(), Backup.IMPORT,
							partial.expiringKeysPerDb()),
					(bytes) -> this.backups.recordProgress(backupId, bytes), this.json::writeValueAsBytes);
			BlobInfo stored = this.store.stat(backup.objectKey())
				.orElseThrow(() -> new BlobStoreException("the imported backup is missing from object storage"));
			if (stored.size() != shipped.storedSize()) {
				throw new BlobStoreException("object storage holds " + stored.size() + " bytes of the import where "
						+ shipped.storedSize() + " were written");
			}
			this.backups.markDone(backupId, new Backup.Outcome(shipped.archiveSize(), shipped.archiveSha256(),
					shipped.storedSize(), shipped.storedSha256(), shipped.keyId(), null, shipped.rdbVersion(),
					shipped.rdbSize(), shipped.keysPerDb()), this.clock.instant());
			this.backups.recordExpiringKeys(backupId, shipped.expiringKeysPerDb());
		}
		catch (IOException | RuntimeException ex) {
			discard(backup, upload, ex);
			throw refusal(ex);
		}
		Backup done = this.backups.find(database.id(), backupId).orElseThrow();
		log.info("Imported a dump of {} bytes (RDB version {}) as backup {} of {}", done.rdbSize(), done.rdbVersion(),
				backupId, database.id());
		this.events.publishEvent(BackupFinished.of(done, null));
		return done;
	}

	/** Nothing of a refused import is kept: no object, no row. */
	private void discard(Backup backup, BlobUpload upload, Exception cause) {
		if (upload != null) {
			ArchiveShipper.abortQuietly(upload, cause);
		}
		try {
			this.store.delete(backup.objectKey());
		}
		catch (IOException | RuntimeException ex) {
			cause.addSuppressed(ex);
		}
		this.backups.deleteUnfinished(backup.id());
	}

	private static ApiException refusal(Exception ex) {
		if (ex instanceof InvalidRdbException) {
			return ApiException.unprocessable("invalid_rdb", "the dump is not a sound RDB file: " + ex.getMessage()
					+ "; nothing was kept");
		}
		if (ex instanceof BlobStoreException) {
			return ApiException.unavailable("storage_unavailable", ex.getMessage(), ex);
		}
		if (ex instanceof ApiException api) {
			return api;
		}
		if (ex instanceof IOException) {
			// what the shipper says of a short or long snapshot is just as true of an upload
			return ApiException.unprocessable("invalid_upload", "the upload could not be read as a dump: "
					+ describe(ex).replace("snapshot", "upload").replace("the node announced", "announced")
					+ "; nothing was kept");
		}
		return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
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
			throw new ApiException(HttpStatus.valueOf(413), "dump_too_large", "the dump is " + length
					+ " bytes, more than the " + max + " bytes an import may be (coffer.import.max-size)");
		}
	}

	private Database database(String databaseId) {
		return this.databases.findLive(databaseId).orElseThrow(() -> ApiException.notFound("database " + databaseId));
	}

}
