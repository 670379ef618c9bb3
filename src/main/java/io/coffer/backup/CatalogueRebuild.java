package io.coffer.backup;

import io.coffer.archive.ArchiveFormat;
import io.coffer.archive.BackupManifest;
import io.coffer.archive.MeasuringInputStream;
import io.coffer.archive.ArchiveContents;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.CatalogueTables;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.crypto.ObjectHeader;
import io.coffer.pipeline.rdb.RdbSummary;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * Disaster recovery of the catalogue: every object in the bucket that no backup row names is read whole
 * (header → key id; decrypted and authenticated; untarred: {@code dump.rdb} checked, {@code backup.json}
 * read) and becomes a {@code done} row again, with the sizes and digests measured while reading it, so
 * that it can be listed, downloaded and restored. Each object is self-describing, which is what makes
 * this possible with the keyring alone.
 * <p>
 * An object whose database is not in the catalogue is skipped and reported: its manifest names the
 * database and its app, but not its nodes or password, so the database must be registered again first
 * (with the same id), then the rebuild run again. Archives written before the manifest recorded the
 * backup's method come back as {@code manual} (kept by the rolling manual retention).
 * <p>
 * A catalogue that has no database at all (a new one, after the old was lost) is first given back its
 * whole state from the newest snapshot that reads back (see {@link CatalogueSnapshots}): databases, nodes,
 * sealed secrets, tokens' hashes, schedules, TLS and the backups' index; the objects listed then are the
 * backups made after that snapshot. A catalogue that has databases is never overwritten by a snapshot.
 */
@Service
public class CatalogueRebuild {

	private static final Logger log = LoggerFactory.getLogger(CatalogueRebuild.class);

	private static final String SUFFIX = ArchiveFormat.OBJECT_SUFFIX;

	private final BlobStore store;

	private final Keyring keyring;

	private final BackupRepository backups;

	private final DatabaseRepository databases;

	private final JsonMapper json;

	private final CatalogueTables tables;

	private final CatalogueSnapshots snapshots;

	private final ApplicationEventPublisher events;

	CatalogueRebuild(BlobStore store, Keyring keyring, BackupRepository backups, DatabaseRepository databases,
			JsonMapper json, CatalogueTables tables, CatalogueSnapshots snapshots, ApplicationEventPublisher events) {
		this.store = store;
		this.keyring = keyring;
		this.backups = backups;
		this.databases = databases;
		this.json = json;
		this.tables = tables;
		this.snapshots = snapshots;
		this.events = events;
	}

	/**
	 * What a rebuild did.
	 * @param snapshot the snapshot the whole catalogue came back from, null when the catalogue was not empty
	 * (or no snapshot read back)
	 * @param refusedSnapshots newer snapshots that were not taken, and why
	 */
	public record Report(int objects, int alreadyCatalogued, List<Rebuilt> rebuilt, List<Skipped> skipped,
			CatalogueSnapshots.Restored snapshot, List<CatalogueSnapshots.Refused> refusedSnapshots) {
	}

	public record Rebuilt(String backupId, String databaseId, String objectKey) {
	}

	public record Skipped(String objectKey, String reason) {
	}

	/**
	 * Rebuilds the rows of the objects under one database's folder, or of the whole bucket.
	 * @param databaseId a database id, or null for every object
	 */
	public Report rebuild(String databaseId) throws IOException {
		List<BlobInfo> listed = this.store.list((databaseId != null) ? databaseId + "/" : "");
		CatalogueSnapshots.Restoration restoration = new CatalogueSnapshots.Restoration(java.util.Optional.empty(),
				List.of());
		if (databaseId == null) {
			// one rebuild at a time, and no snapshot written meanwhile, across instances
			try (AutoCloseable lock = this.tables.lock(true).orElseThrow()) {
				if (this.tables.isEmpty()) {
					restoration = this.snapshots.restoreNewest(listed);
				}
			}
			catch (IOException | RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IOException(ex.getMessage(), ex);
			}
		}
		List<BlobInfo> objects = listed.stream()
			.filter((object) -> !object.key().startsWith(CatalogueSnapshots.PREFIX)
					&& !object.key().startsWith(PitrRepository.OBJECT_PREFIX))
			.toList();
		Set<String> catalogued = this.backups.objectKeys();
		List<Rebuilt> rebuilt = new ArrayList<>();
		List<Skipped> skipped = new ArrayList<>();
		int known = 0;
		for (BlobInfo object : objects) {
			if (catalogued.contains(object.key())) {
				known++;
				continue;
			}
			if (!object.key().endsWith(SUFFIX) || object.key().indexOf('/') < 1) {
				skipped.add(new Skipped(object.key(), "not a backup's object (<database-id>/<name>" + SUFFIX + ")"));
				continue;
			}
			try {
				Recovered recovered = read(object);
				BackupManifest manifest = recovered.manifest();
				String expectedFolder = manifest.databaseId() + "/";
				if (!object.key().startsWith(expectedFolder)) {
					skipped.add(new Skipped(object.key(), "its backup.json names database " + manifest.databaseId()
							+ ", which is not the folder it is stored in"));
				}
				else if (!this.databases.idExists(manifest.databaseId())) {
					skipped.add(new Skipped(object.key(), "database " + manifest.databaseId() + " (app "
							+ manifest.app() + ") is not in the catalogue: register it again with this id, then"
							+ " rebuild again"));
				}
				else if (this.backups.find(manifest.databaseId(), manifest.backupId()).isPresent()) {
					skipped.add(new Skipped(object.key(), "backup " + manifest.backupId()
							+ " is already in the catalogue with another object"));
				}
				else {
					this.backups.insertRebuilt(row(object, recovered), object.lastModified());
					this.backups.recordExpiringKeys(manifest.backupId(),
							BackupManifest.perDb(recovered.rdb().expiringKeysPerDb()));
					rebuilt.add(new Rebuilt(manifest.backupId(), manifest.databaseId(), object.key()));
					log.info("Catalogue rebuild: backup {} of {} is back from {}", manifest.backupId(),
							manifest.databaseId(), object.key());
				}
			}
			catch (IOException | RuntimeException ex) {
				log.warn("Catalogue rebuild: {} cannot be read back: {}", object.key(), ex.getMessage());
				skipped.add(new Skipped(object.key(), "it cannot be read back: " + ex.getMessage()));
			}
		}
		restoration.restored().ifPresent((restored) -> this.events.publishEvent(new CatalogueRestored(restored.objectKey())));
		return new Report(objects.size(), known, rebuilt, skipped, restoration.restored().orElse(null),
				restoration.refused());
	}

	private static Backup row(BlobInfo object, Recovered recovered) {
		BackupManifest manifest = recovered.manifest();
		String fileName = object.key().substring(object.key().indexOf('/') + 1);
		String name = fileName.substring(0, fileName.length() - ".enc".length());
		String method = (manifest.method() != null) ? manifest.method() : Backup.MANUAL;
		Backup.NodeUsed node = (manifest.node() != null) ? new Backup.NodeUsed(manifest.node().role(),
				manifest.node().host(), manifest.node().port(), "rebuilt from the archive's backup.json") : null;
		return new Backup(manifest.backupId(), manifest.databaseId(), manifest.createdAt(), name, null, method, node,
				object.key(), recovered.archiveSize(), recovered.archiveSha256(), recovered.storedSize(),
				recovered.storedSha256(), recovered.keyId(), manifest.redisVersion(), manifest.rdbVersion(),
				manifest.rdbSize(), BackupManifest.perDb(recovered.rdb().keysPerDb()), manifest.rdbSize(), null, null,
				null, null, null, null, null, Backup.Copy.NONE, manifest.replication());
	}

	private record Recovered(BackupManifest manifest, String keyId, long storedSize, String storedSha256,
			long archiveSize, String archiveSha256, RdbSummary rdb) {
	}

	/** One pass over the object: every layer checked, every size and digest measured on the way. */
	private Recovered read(BlobInfo object) throws IOException {
		String keyId;
		try (InputStream header = this.store.read(object.key(), 0, ObjectHeader.LENGTH)) {
			keyId = ObjectHeader.read(header).keyId();
		}
		try (MeasuringInputStream stored = MeasuringInputStream.hashing(this.store.read(object.key()))) {
			MeasuringInputStream archive = MeasuringInputStream.hashing(new DecryptingInputStream(stored, this.keyring));
			try (ArchiveContents entries = ArchiveContents.read(archive)) {
				entries.copyDump(OutputStream.nullOutputStream(), 0);
				// to the very end: the last segment's authentication and the archive's full digest
				BackupManifest manifest = entries.finish(this.json);
				if (manifest.backupId() == null || manifest.databaseId() == null || manifest.createdAt() == null) {
					throw new IOException("its backup.json does not name the backup, its database and its date");
				}
				if (!entries.dumpSha256().equals(manifest.rdbSha256())) {
					throw new IOException("its dump.rdb is not the one its backup.json describes (size or SHA-256)");
				}
				return new Recovered(manifest, keyId, stored.count(), stored.sha256Hex(), archive.count(),
						archive.sha256Hex(), entries.rdbSummary());
			}
		}
	}

}
