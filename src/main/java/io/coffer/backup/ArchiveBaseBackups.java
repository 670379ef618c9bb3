package io.coffer.backup;

import io.coffer.archive.ArchiveShipment;
import io.coffer.archive.ArchiveWriter;
import io.coffer.archive.BackupManifest;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.ReplicationPosition;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.SelectedNode;
import io.coffer.storage.BlobStore;
import io.coffer.system.CofferInstance;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/**
 * Backups of method {@code archive}: the dump a point-in-time archiver received when the node answered its
 * {@code PSYNC} with a full synchronisation (no base yet, or the node no longer held the offset). The dump
 * goes through the one pipeline of backups ({@link ArchiveShipment}), with the position the node announced,
 * and becomes the base the archived stream continues from.
 */
@Service
public class ArchiveBaseBackups {

	public static final String METHOD = Backup.ARCHIVE;

	private static final Logger log = LoggerFactory.getLogger(ArchiveBaseBackups.class);

	private final BackupRepository backups;

	private final BackupLauncher launcher;

	private final BlobStore store;

	private final ArchiveShipment shipment;

	private final RedisConnections redis;

	private final CofferInstance instance;

	private final ApplicationEventPublisher events;

	ArchiveBaseBackups(BackupRepository backups, BackupLauncher launcher, BlobStore store, ArchiveShipment shipment,
			RedisConnections redis, CofferInstance instance, ApplicationEventPublisher events) {
		this.backups = backups;
		this.launcher = launcher;
		this.store = store;
		this.shipment = shipment;
		this.redis = redis;
		this.instance = instance;
		this.events = events;
	}

	/**
	 * Ships {@code rdb} ({@code length} bytes, exactly the dataset at {@code position}, which the node answered
	 * with at {@code answeredAt}: the backup's start) as a done backup.
	 * @throws BackupRepository.BackupInFlightException when another backup of the database is running
	 * @throws IOException when the dump cannot be read or stored; nothing is kept then
	 */
	public Backup ship(Database database, SelectedNode node, InputStream rdb, long length,
			ReplicationPosition position, Instant answeredAt) throws IOException {
		RedisEndpoint endpoint = node.endpoint();
		RedisInfo facts = RedisInfo.read(this.redis, endpoint);
		Instant createdAt = this.launcher.creationSecond(database.id());
		String backupId = BackupNames.newId(createdAt);
		this.backups.insertScheduled(backupId, database.id(), createdAt, BackupNames.fileName(database, createdAt),
				METHOD, BackupNames.objectKey(database, createdAt), this.instance.id());
		this.backups.markImporting(backupId, new Backup.NodeUsed(node.role(), endpoint.host(), endpoint.port(),
				"the node of point-in-time recovery: " + node.reason()), answeredAt);
		this.backups.recordReplicationPosition(backupId, position);
		Backup backup = this.backups.find(database.id(), backupId).orElseThrow();
		try {
			ArchiveWriter.Shipped shipped = this.shipment.ship(backup, rdb, length,
					(partial) -> new BackupManifest(BackupManifest.FORMAT_VERSION, backupId, database.id(),
							database.app(), createdAt,
							new BackupManifest.NodeUsed(node.role(), endpoint.host(), endpoint.port()),
							facts.redisVersion(), partial.rdbVersion(), partial.rdbSize(), partial.rdbSha256(),
							partial.keysPerDb(), METHOD, partial.expiringKeysPerDb(), position));
			this.shipment.commit(backup, new Backup.Outcome(shipped.archiveSize(), shipped.archiveSha256(),
					shipped.storedSize(), shipped.storedSha256(), shipped.keyId(), facts.redisVersion(),
					shipped.rdbVersion(), shipped.rdbSize(), shipped.keysPerDb()));
		}
		catch (IOException | RuntimeException ex) {
			try {
				this.store.delete(backup.objectKey());
			}
			catch (IOException | RuntimeException cleanup) {
				ex.addSuppressed(cleanup);
			}
			this.backups.deleteUnfinished(backupId);
			throw ex;
		}
		Backup done = this.backups.find(database.id(), backupId).orElseThrow();
		log.info("Base backup {} of {} for point-in-time recovery, at offset {} of {}", backupId, database.id(),
				position.offset(), position.replid());
		this.events.publishEvent(BackupFinished.of(done, null));
		return done;
	}

}
