package io.coffer.pitr;

import io.coffer.backup.ArchiveBaseBackups;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.redis.DatabaseEndpoints;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.TlsTrust;
import io.coffer.system.CofferInstance;
import io.coffer.system.PrivateFiles;
import io.coffer.system.ServiceProperties;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.springframework.stereotype.Component;

/** What every archiver of this instance shares: the catalogue, the node choice, storage, the local folder. */
@Component
class PitrCollaborators {

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final PitrRepository pitr;

	private final DatabaseEndpoints endpoints;

	private final RedisConnections connections;

	private final ArchiveBaseBackups bases;

	private final SegmentUploader uploader;

	private final CofferInstance instance;

	private final PitrProperties properties;

	private final Path dataDir;

	private final TlsTrust tls;

	private final DurableMarks durableMarks;

	private final Clock clock;

	private final FullSyncTurns turns;

	PitrCollaborators(DatabaseRepository databases, BackupRepository backups, PitrRepository pitr,
			DatabaseEndpoints endpoints, RedisConnections connections, ArchiveBaseBackups bases,
			SegmentUploader uploader, CofferInstance instance, PitrProperties properties, ServiceProperties service,
			TlsTrust tls, DurableMarks durableMarks, Clock clock, FullSyncTurns turns) {
		this.tls = tls;
		this.turns = turns;
		this.durableMarks = durableMarks;
		this.databases = databases;
		this.backups = backups;
		this.pitr = pitr;
		this.endpoints = endpoints;
		this.connections = connections;
		this.bases = bases;
		this.uploader = uploader;
		this.instance = instance;
		this.properties = properties;
		this.dataDir = service.dataDir().toAbsolutePath().normalize();
		this.clock = clock;
	}

	DatabaseRepository databases() {
		return this.databases;
	}

	BackupRepository backups() {
		return this.backups;
	}

	PitrRepository pitr() {
		return this.pitr;
	}

	DatabaseEndpoints endpoints() {
		return this.endpoints;
	}

	RedisConnections connections() {
		return this.connections;
	}

	ArchiveBaseBackups bases() {
		return this.bases;
	}

	SegmentUploader uploader() {
		return this.uploader;
	}

	/** What TLS nodes are trusted with, as {@link RedisConnections} trusts them. */
	SSLContext tlsContext() {
		return this.tls.clientContext();
	}

	DurableMarks durableMarks() {
		return this.durableMarks;
	}

	/** The turns of this instance's archivers at a full synchronisation. */
	FullSyncTurns turns() {
		return this.turns;
	}

	String instanceId() {
		return this.instance.id();
	}

	Duration uploadInterval() {
		return this.properties.uploadInterval();
	}

	Clock clock() {
		return this.clock;
	}

	/** {@code <data-dir>/pitr/<database>/}: the segments being received, owner only. */
	Path folder(String databaseId) {
		return this.dataDir.resolve("pitr").resolve(databaseId);
	}

	/**
	 * Makes the folder exist, owner only, and empty: what a previous run left there was never uploaded, and the
	 * archiver continues from the end of the last uploaded segment, which the node sends again.
	 */
	void clearFolder(Path folder) throws IOException {
		PrivateFiles.folders(this.dataDir, folder);
		try (Stream<Path> files = Files.list(folder)) {
			for (Path file : (Iterable<Path>) files::iterator) {
				Files.deleteIfExists(file);
			}
		}
	}

}
