package io.coffer.backup;

import io.coffer.archive.ArchiveShipment;
import io.coffer.archive.ArchiveWriter;
import io.coffer.archive.BackupManifest;
import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.SelectedNode;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.ReplicationPosition;
import io.coffer.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * What each step of {@code backupJob} does. The job configuration only wires these to steps, so
 * that the work reads top to bottom here: pick the node, snapshot and ship, commit.
 */
@Component
class BackupSteps {

	private static final Logger log = LoggerFactory.getLogger(BackupSteps.class);

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final DatabaseEndpoints endpoints;

	private final Map<String, SnapshotSource> snapshotSources;

	private final RedisConnections redis;

	private final BlobStore store;

	private final ArchiveShipment shipment;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	/**
	 * What step 1 resolved, by job execution, for the later steps: the database's row, the backup's row, and
	 * the node with its password (unsealed once) and TLS. Kept in memory, not in the execution context, which
	 * Batch writes to the catalogue: the password must never be stored there. An execution runs on the
	 * instance that started it to its end (recovery fails it otherwise), so memory is enough.
	 */
	private final Map<Long, Resolved> resolved = new ConcurrentHashMap<>();

	private record Resolved(Database database, Backup backup, SelectedNode node) {
	}

	BackupSteps(DatabaseRepository databases, BackupRepository backups, DatabaseEndpoints endpoints,
			List<SnapshotSource> snapshotSources, RedisConnections redis, BlobStore store, ArchiveShipment shipment,
			Clock clock, ApplicationEventPublisher events) {
		this.databases = databases;
		this.backups = backups;
		this.endpoints = endpoints;
		this.snapshotSources = snapshotSources.stream()
			.collect(Collectors.toMap(SnapshotSource::mode, (source) -> source));
		this.redis = redis;
		this.store = store;
		this.shipment = shipment;
		this.clock = clock;
		this.events = events;
	}

	/** Step 1: the node to snapshot, from the live topology; the row becomes {@code running}. */
	SelectedNode selectNode(String backupId, String databaseId, long jobExecutionId) {
		Database database = database(databaseId);
		SelectedNode selected = this.endpoints.nodeToBackUp(database);
		log.info("Backup {} of {}: {}", backupId, databaseId, selected.reason());
		this.backups.markRunning(backupId, new Backup.NodeUsed(selected.role(), selected.endpoint().host(),
				selected.endpoint().port(), selected.reason()), jobExecutionId, this.clock.instant());
		this.resolved.put(jobExecutionId,
				new Resolved(database, this.backups.find(databaseId, backupId).orElseThrow(), selected));
		return selected;
	}

	/** What step 1 resolved for the execution, or the same resolved again if this instance does not have it. */
	private Resolved resolved(long jobExecutionId, String backupId, String databaseId, RedisEndpoint node,
			String role) {
		Resolved run = this.resolved.get(jobExecutionId);
		if (run != null) {
			return run;
		}
		Database database = database(databaseId);
		return new Resolved(database, this.backups.find(databaseId, backupId).orElseThrow(),
				new SelectedNode(node.withPassword(this.endpoints.password(database))
					.withTls(this.endpoints.tls(database)), role, null));
	}

	/** The execution has ended: what step 1 resolved for it is dropped. */
	void forget(long jobExecutionId) {
		this.resolved.remove(jobExecutionId);
	}

	/** Step 2: the snapshot, streamed through the archive pipeline into object storage. */
	Backup.Outcome snapshotAndShip(long jobExecutionId, String backupId, String databaseId, RedisEndpoint node,
			String role) throws IOException {
		Resolved run = resolved(jobExecutionId, backupId, databaseId, node, role);
		Database database = run.database();
		Backup backup = run.backup();
		RedisEndpoint endpoint = run.node().endpoint();
		RedisInfo facts = RedisInfo.read(this.redis, endpoint);
		SnapshotSource source = this.snapshotSources.get(database.acquisitionMode());
		long opened = System.nanoTime();
		try (Snapshot snapshot = source.open(endpoint)) {
			ReplicationPosition position = snapshot.replicationPosition();
			if (position != null) {
				this.backups.recordReplicationPosition(backup.id(), position);
			}
			long streaming = System.nanoTime();
			ArchiveWriter.Shipped shipped = this.shipment.ship(backup, snapshot.stream(), snapshot.expectedLength(),
					(partial) -> manifest(backup, database, endpoint, role, facts, partial, position));
			logStages(backup, snapshot, shipped, streaming - opened, System.nanoTime() - streaming);
			return new Backup.Outcome(shipped.archiveSize(), shipped.archiveSha256(), shipped.storedSize(),
					shipped.storedSha256(), shipped.keyId(), facts.redisVersion(), shipped.rdbVersion(),
					shipped.rdbSize(), shipped.keysPerDb());
		}
	}

	/**
	 * Where the snapshot step spent its time: what a slow backup is asked first, and what the backup
	 * benchmark reads.
	 */
	private static void logStages(Backup backup, Snapshot snapshot, ArchiveWriter.Shipped shipped, long openNanos,
			long shipNanos) {
		Duration preparation = snapshot.nodePreparation();
		log.info(String.format(Locale.ROOT,
				"Backup %s: snapshot opened in %.2f s (the node prepared it in %s), then %.0f MB of RDB streamed, "
						+ "compressed, encrypted and stored in %.2f s (%.0f MB/s)",
				backup.id(), openNanos / 1e9, (preparation != null) ? String.format(Locale.ROOT, "%.2f s", preparation.toNanos() / 1e9) : "?",
				shipped.rdbSize() / 1e6, shipNanos / 1e9, shipped.rdbSize() / 1e6 / Math.max(shipNanos / 1e9, 1e-9)));
	}

	/** Step 3: the row becomes {@code done} only once the stored object is there, whole. */
	void commit(long jobExecutionId, String backupId, String databaseId, Backup.Outcome outcome) throws IOException {
		Resolved run = this.resolved.get(jobExecutionId);
		Backup backup = (run != null) ? run.backup() : this.backups.find(databaseId, backupId).orElseThrow();
		this.shipment.commit(backup, outcome);
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
			RedisInfo facts, ArchiveWriter.Shipped shipped, ReplicationPosition position) {
		return new BackupManifest(BackupManifest.FORMAT_VERSION, backup.id(), database.id(), database.app(),
				backup.createdAt(), new BackupManifest.NodeUsed(role, node.host(), node.port()), facts.redisVersion(),
				shipped.rdbVersion(), shipped.rdbSize(), shipped.rdbSha256(), shipped.keysPerDb(), backup.method(),
				shipped.expiringKeysPerDb(), position);
	}

	private Database database(String databaseId) {
		return this.databases.findLive(databaseId)
			.orElseThrow(() -> new IllegalStateException("database " + databaseId + " no longer exists"));
	}
}
