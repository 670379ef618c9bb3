package io.coffer.backup;

import io.coffer.archive.ArchiveShipper;
import io.coffer.archive.BackupManifest;
import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.SelectedNode;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.crypto.Keyring;
import io.coffer.storage.BlobInfo;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * What each step of {@code backupJob} does. The job configuration only wires these to steps, so
 * that the work reads top to bottom here: pick the node, snapshot and ship, commit.
 */
@Component
class BackupSteps {

	private static final Logger log = LoggerFactory.getLogger(BackupSteps.class);

	/**
	 * The newest RDB format this build of Coffer knows how to check: Valkey 9's 80; behind the {@code REDIS}
	 * magic, 13 of Redis 8.6 (the parser refuses the versions it does not know whatever this bound).
	 */
	static final int MAX_RDB_VERSION = 80;

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final DatabaseEndpoints endpoints;

	private final Map<String, SnapshotSource> snapshotSources;

	private final RedisConnections redis;

	private final BlobStore store;

	private final Keyring keyring;

	private final JsonMapper json;

	private final BackupProperties settings;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	BackupSteps(DatabaseRepository databases, BackupRepository backups, DatabaseEndpoints endpoints,
			List<SnapshotSource> snapshotSources, RedisConnections redis, BlobStore store, Keyring keyring,
			JsonMapper json, BackupProperties settings, Clock clock, ApplicationEventPublisher events) {
		this.databases = databases;
		this.backups = backups;
		this.endpoints = endpoints;
		this.snapshotSources = snapshotSources.stream()
			.collect(Collectors.toMap(SnapshotSource::mode, (source) -> source));
		this.redis = redis;
		this.store = store;
		this.keyring = keyring;
		this.json = json.rebuild().enable(SerializationFeature.INDENT_OUTPUT).build();
		this.settings = settings;
		this.clock = clock;
		this.events = events;
	}

	/** Step 1: the node to snapshot, from the live topology; the row becomes {@code running}. */
	SelectedNode selectNode(String backupId, String databaseId, long jobExecutionId) {
		SelectedNode selected = this.endpoints.nodeToBackUp(database(databaseId));
		log.info("Backup {} of {}: {}", backupId, databaseId, selected.reason());
		this.backups.markRunning(backupId, new Backup.NodeUsed(selected.role(), selected.endpoint().host(),
				selected.endpoint().port(), selected.reason()), jobExecutionId, this.clock.instant());
		return selected;
	}

	/** Step 2: the snapshot, streamed through the archive pipeline into object storage. */
	Backup.Outcome snapshotAndShip(String backupId, String databaseId, RedisEndpoint node, String role)
			throws IOException {
		Database database = database(databaseId);
		Backup backup = this.backups.find(databaseId, backupId).orElseThrow();
		RedisEndpoint endpoint = node.withPassword(this.endpoints.password(database)).withTls(this.endpoints.tls(database));
		RedisInfo facts = RedisInfo.read(this.redis, endpoint);
		SnapshotSource source = this.snapshotSources.get(database.acquisitionMode());
		KeyEncryptionKey kek = this.keyring.newest();
		ArchiveShipper shipper = new ArchiveShipper(this.settings.compressionLevel(),
				this.settings.effectiveCompressionThreads(), MAX_RDB_VERSION);
		BlobUpload upload = this.store.openUpload(backup.objectKey());
		try (Snapshot snapshot = source.open(endpoint)) {
			ArchiveShipper.Shipped shipped = shipper.ship(snapshot.stream(), snapshot.expectedLength(),
					backup.createdAt(), kek, upload,
					(partial) -> manifest(backup, database, endpoint, role, facts, partial),
					(bytes) -> this.backups.recordProgress(backupId, bytes), this.json::writeValueAsBytes);
			this.backups.recordExpiringKeys(backupId, shipped.expiringKeysPerDb());
			return new Backup.Outcome(shipped.archiveSize(), shipped.archiveSha256(), shipped.storedSize(),
					shipped.storedSha256(), shipped.keyId(), facts.redisVersion(), shipped.rdbVersion(),
					shipped.rdbSize(), shipped.keysPerDb());
		}
		catch (IOException | RuntimeException ex) {
			ArchiveShipper.abortQuietly(upload, ex);
			throw ex;
		}
	}

	/** Step 3: the row becomes {@code done} only once the stored object is there, whole. */
	void commit(String backupId, String databaseId, Backup.Outcome outcome) throws IOException {
		Backup backup = this.backups.find(databaseId, backupId).orElseThrow();
		BlobInfo stored = this.store.stat(backup.objectKey())
			.orElseThrow(() -> new IOException("the uploaded backup is missing from object storage"));
		if (stored.size() != outcome.storedSize()) {
			this.store.delete(backup.objectKey());
			throw new IOException("object storage holds " + stored.size() + " bytes of the backup where "
					+ outcome.storedSize() + " were written; the object was removed");
		}
		this.backups.markDone(backupId, outcome, this.clock.instant());
		this.backups.find(databaseId, backupId)
			.ifPresent((done) -> this.events.publishEvent(BackupFinished.of(done, null)));
	}

	/** After a failure: no object of this backup may stay behind, whichever step failed. */
	void cleanUpAfterFailure(String databaseId, String backupId) {
		this.backups.find(databaseId, backupId).ifPresent((backup) -> {
			try {
				this.store.delete(backup.objectKey());
			}
			catch (IOException ex) {
				log.warn("Could not remove the object of failed backup {}: {}", backupId, ex.getMessage());
			}
		});
	}

	private BackupManifest manifest(Backup backup, Database database, RedisEndpoint node, String role,
			RedisInfo facts, ArchiveShipper.Shipped shipped) {
		return new BackupManifest(BackupManifest.FORMAT_VERSION, backup.id(), database.id(), database.app(),
				backup.createdAt(), new BackupManifest.NodeUsed(role, node.host(), node.port()), facts.redisVersion(),
				shipped.rdbVersion(), shipped.rdbSize(), shipped.rdbSha256(), shipped.keysPerDb(), backup.method(),
				shipped.expiringKeysPerDb());
	}

	private Database database(String databaseId) {
		return this.databases.findLive(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " no longer exists"));
	}
}
