package io.coffer.catalog;

import java.io.Serializable;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One backup of a database: its row in the catalogue. {@code integrityError} is set when its stored
 * object failed authentication on a read; {@code verifiedAt} is when {@code verifyBackupsJob} last read it
 * whole (null until it has).
 */
public record Backup(String id, String databaseId, Instant createdAt, String name, RunStatus status, String method,
		NodeUsed node, String objectKey, Long archiveSize, String archiveSha256, Long storedSize,
		String storedSha256, String keyId, String redisVersion, Integer rdbVersion, Long rdbSize,
		Map<String, Long> keysPerDb, long bytesProcessed, Long jobExecutionId, Instant startedAt,
		Instant finishedAt, String error, String integrityError, Instant integrityCheckedAt,
		Instant verifiedAt) {

	public static final String PERIODIC = "periodic";

	public static final String MANUAL = "manual";

	/** Taken just before its database is deleted, and kept {@code coffer.retention.final} after. */
	public static final String FINAL = "final";

	/** An external dump uploaded through the API: no node was snapshotted; its keys are counted from the dump. */
	public static final String IMPORT = "import";

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
