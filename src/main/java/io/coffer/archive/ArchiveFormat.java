package io.coffer.archive;

/**
 * What a backup's archive is, in one place for its writer and its readers: a tar of exactly two plain
 * files, {@link #DUMP} then {@link #MANIFEST}, compressed as gzip members, stored encrypted in segments
 * under a key ending in {@link #OBJECT_SUFFIX}.
 */
public final class ArchiveFormat {

	/** The archive's first entry: the RDB snapshot, as the node produced it. */
	public static final String DUMP = "dump.rdb";

	/** The archive's second and last entry: {@link BackupManifest} as JSON. */
	public static final String MANIFEST = "backup.json";

	/** How a stored object's key ends: the download's name ({@code .tar.gz}) and the encryption. */
	public static final String OBJECT_SUFFIX = ".tar.gz.enc";

	/**
	 * The newest RDB format this build of Coffer knows how to check: Valkey 9's 80; behind the {@code REDIS}
	 * magic, 13 of Redis 8.6 (the parser refuses the versions it does not know whatever this bound).
	 */
	public static final int NEWEST_RDB_VERSION = 80;

	/** A manifest is a few hundred bytes; anything near this is not one. */
	static final int MAX_MANIFEST_SIZE = 1024 * 1024;

	private ArchiveFormat() {
	}

}
