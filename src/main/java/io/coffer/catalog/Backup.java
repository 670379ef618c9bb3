package io.coffer.catalog;

import java.io.Serializable;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One backup of a database: its row in the catalogue. {@code integrityError} is set when its stored
 * object failed authentication on a read; {@code verifiedAt} is when {@code verifyBackupsJob} last read it
 * whole (null until it has); {@code copy} is its copy in the second store ({@code coffer.copy});
 * {@code replication} is where in the node's replication history the dump stands, when the node said so
 * ({@code stream} backups of nodes that answer {@code PSYNC}), else null.
 */
public record Backup(String id, String databaseId, Instant createdAt, String name, RunStatus status, String method,
		NodeUsed node, String objectKey, Long archiveSize, String archiveSha256, Long storedSize,
		String storedSha256, String keyId, String redisVersion, Integer rdbVersion, Long rdbSize,
		Map<String, Long> keysPerDb, long bytesProcessed, Long jobExecutionId, Instant startedAt,
		Instant finishedAt, String error, String integrityError, Instant integrityCheckedAt,
		Instant verifiedAt, Copy copy, ReplicationPosition replication) {

	public static final String PERIODIC = "periodic";

	public static final String MANUAL = "manual";

	/** Taken just before its database is deleted, and kept {@code coffer.retention.final} after. */
	public static final String FINAL = "final";

	/**
	 * The dump a point-in-time archiver received when the node gave it a full synchronisation: a base the
	 * archived stream continues from. It takes no manual place, and stays as long as the daily slots last.
	 */
	public static final String ARCHIVE = "archive";

	/** An external dump uploaded through the API: no node was snapshotted; its keys are counted from the dump. */
	public static final String IMPORT = "import";

	/**
	 * The copy of a done backup's stored object in the second store: {@code state} is {@link #PENDING},
	 * {@link #DONE} or {@link #ERROR} ({@code error} says why; it is tried again), null for a backup that is
	 * not done; {@code primaryError} is why its primary object could not be read the last time a read used the
	 * copy instead.
	 */
	public record Copy(String state, String error, Instant copiedAt, String primaryError) {

		public static final String PENDING = "pending";

		public static final String DONE = "done";

		public static final String ERROR = "error";

		public static final Copy NONE = new Copy(null, null, null, null);

		/** Whether the second store holds the very bytes of the stored object. */
		public boolean isDone() {
			return DONE.equals(this.state);
		}

	}

	/** The node a backup was taken from, its role at that moment, and why it was chosen. */
	public record NodeUsed(String role, String host, int port, String reason) {
	}

	/**
	 * What a finished backup leaves in the catalogue: sizes and digests of both forms, versions, keys
	 * counted from the dump ({@code redisVersion} is null when unknown, as for an import; {@code keysPerDb}
	 * is null only in rows written before dumps were parsed).
	 */
	public record Outcome(long archiveSize, String archiveSha256, long storedSize, String storedSha256, String keyId,
			String redisVersion, int rdbVersion, long rdbSize, Map<String, Long> keysPerDb) implements Serializable {

		public Outcome {
			keysPerDb = (keysPerDb != null) ? new TreeMap<>(keysPerDb) : null;
		}

	}

}
