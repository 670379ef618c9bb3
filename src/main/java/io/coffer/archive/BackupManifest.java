package io.coffer.archive;

import io.coffer.catalog.ReplicationPosition;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code backup.json}, the archive's second entry: what the dump is, where it came from, and the
 * SHA-256 of {@code dump.rdb} so that the archive can be checked without the catalogue, and enough
 * to rebuild the backup's row if the catalogue is lost. {@code keysPerDb} and {@code expiringKeysPerDb}
 * are counted from the dump itself as it was parsed ({@code db0 → n}); {@code keysPerDb} is null in
 * archives of imports made before dumps were parsed, {@code expiringKeysPerDb} in archives written before
 * it was recorded, and {@code method} in archives written before it was recorded. {@code replication} is where
 * the dump stands in the node's replication history ({@code replid}, {@code offset}), null when the node did not
 * say (BGSAVE, an import) and in archives written before it was recorded.
 */
public record BackupManifest(int formatVersion, String backupId, String databaseId, String app, Instant createdAt,
		NodeUsed node, String redisVersion, int rdbVersion, long rdbSize, String rdbSha256,
		Map<String, Long> keysPerDb, String method, Map<String, Long> expiringKeysPerDb,
		ReplicationPosition replication) {

	public static final int FORMAT_VERSION = 1;

	public record NodeUsed(String role, String host, int port) {
	}

	/** Counts per logical database named as the manifest and the catalogue name them: {@code db0 → n}. */
	public static Map<String, Long> perDb(Map<Integer, Long> countsByIndex) {
		Map<String, Long> named = new TreeMap<>();
		countsByIndex.forEach((index, count) -> named.put("db" + index, count));
		return named;
	}

}
