package io.coffer.backup;

import java.time.Instant;
import java.util.Map;

/**
 * {@code backup.json}, the archive's second entry: what the dump is, where it came from, and the
 * SHA-256 of {@code dump.rdb} so that the archive can be checked without the catalogue.
 */
public record BackupManifest(int formatVersion, String backupId, String databaseId, String app, Instant createdAt,
		NodeUsed node, String redisVersion, int rdbVersion, long rdbSize, String rdbSha256,
		Map<String, Long> keysPerDb) {

	public static final int FORMAT_VERSION = 1;

	public record NodeUsed(String role, String host, int port) {
	}

}
