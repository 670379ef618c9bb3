package io.coffer.pitr;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.PitrRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Service;

/**
 * Point-in-time recovery of a database, as users see it: on or off, and the window it can be recovered to.
 */
@Service
public class PointInTimeRecovery {

	private final DatabaseRepository databases;

	private final PitrRepository pitr;

	private final BackupRepository backups;

	private final Clock clock;

	PointInTimeRecovery(DatabaseRepository databases, PitrRepository pitr, BackupRepository backups, Clock clock) {
		this.databases = databases;
		this.pitr = pitr;
		this.backups = backups;
		this.clock = clock;
	}

	/**
	 * {@code recoverableFrom}: the base the first archived segment continues (its dump's time, see
	 * {@link #datasetTime}), or that
	 * segment's first command; {@code recoverableTo}: the last command of the last uploaded segment (null
	 * both before the first upload). {@code lagMs}: how long ago everything received was last made durable on
	 * the archiving instance's disk (null while no archiver ran). {@code state}: what the running archiver does
	 * ({@link ArchiverState}; null while none runs). {@code uploadLagMs}: the age of the oldest archived command not
	 * yet in object storage (null while none waits). {@code lastError}: why the archiver could not go on, the last
	 * time it could not (null while it runs well); {@code lastUploadError}: why the last upload failed, while
	 * segments wait for storage (null otherwise).
	 */
	public record Status(boolean enabled, Instant recoverableFrom, Instant recoverableTo, Long lagMs, String state,
			Long uploadLagMs, List<Gap> gaps, String lastError, String lastUploadError, int segments) {
	}

	/** A hole in the window: from the last command archived before it to the new base; {@code why} it happened. */
	public record Gap(Instant from, Instant to, String why, String baseBackup) {
	}

	public Status status(String databaseId) {
		requireLive(databaseId);
		PitrRepository.Archiver archiver = this.pitr.find(databaseId).orElse(null);
		List<PitrRepository.Segment> segments = this.pitr.segments(databaseId);
		Instant from = null;
		Instant to = null;
		if (!segments.isEmpty()) {
			PitrRepository.Segment first = segments.get(0);
			from = this.backups
				.findAtPosition(databaseId,
						new io.coffer.catalog.ReplicationPosition(first.replid(), first.startOffset() - 1))
				.map(PointInTimeRecovery::datasetTime)
				.orElse(first.firstArrival());
			to = segments.get(segments.size() - 1).lastArrival();
		}
		boolean enabled = archiver != null && archiver.enabled();
		Long lag = enabled ? ageMs(archiver.lastDurableAt()) : null;
		boolean running = enabled && archiver.owner() != null;
		Long uploadLag = enabled ? ageMs(archiver.oldestUnuploadedAt()) : null;
		List<Gap> gaps = this.pitr.gaps(databaseId)
			.stream()
			.map((gap) -> new Gap(gap.from(), gap.to(), gap.reason(), gap.baseBackupId()))
			.toList();
		return new Status(enabled, from, to, lag, running ? archiver.state() : null, uploadLag, gaps,
				(archiver != null) ? archiver.lastError() : null,
				(enabled && uploadLag != null) ? archiver.lastUploadError() : null, segments.size());
	}

	/** Milliseconds since {@code since}, never below 0; null for none. */
	private Long ageMs(Instant since) {
		return (since != null) ? Math.max(0, this.clock.millis() - since.toEpochMilli()) : null;
	}

	/**
	 * The time a base backup's dump holds the dataset of, at the latest: for a base the archiver took, when the
	 * node's {@code +FULLRESYNC} and dump header had arrived (its start; the node forked before it answered), for
	 * any other when it finished ({@code created_at} is the second it was asked for, before the node forked).
	 */
	static Instant datasetTime(Backup base) {
		Instant time = Backup.ARCHIVE.equals(base.method()) ? base.startedAt()
				: base.finishedAt();
		return (time != null) ? time : base.createdAt();
	}

	/** Turns it on or off; an instance of the cluster starts (or stops) the archiver within seconds. */
	public Status setEnabled(String databaseId, boolean enabled) {
		requireLive(databaseId);
		this.pitr.setEnabled(databaseId, enabled);
		return status(databaseId);
	}

	private void requireLive(String databaseId) {
		if (this.databases.findLive(databaseId).isEmpty()) {
			throw new DatabaseNotFound(databaseId);
		}
	}

}
