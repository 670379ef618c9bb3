package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.coffer.archive.ArchiveContents;
import io.coffer.archive.ArchiveFormat;
import io.coffer.archive.BackupManifest;
import io.coffer.archive.ArchiveReader;
import io.coffer.catalog.Backup;
import tools.jackson.databind.json.JsonMapper;

/**
 * A dump that {@link DumpLoader} sends to a target: its length first (the replication protocol announces
 * it), then its bytes, the last ones only once the whole was found sound. A backup's whole dump, or one of
 * its selected keys ({@link KeyRestore#filtered}).
 */
interface DumpSource extends AutoCloseable {

	/** The entry of a load's checks with what its one pass verified ({@link #verified()}). */
	String VERIFIED = "verified";

	long size();

	/** Sends all but the last {@code holdBack} bytes, which it answers. */
	byte[] copy(OutputStream out, int holdBack) throws IOException;

	/** Checks what remains to be checked before the last bytes are sent. */
	void finish() throws IOException;

	@Override
	void close() throws IOException;

	/** Where the archive was read from ({@code primary} or {@code copy}); null when not known. */
	default String source() {
		return null;
	}

	/**
	 * What {@link #finish} found sound, as the restore's checks name it ({@code archive}, {@code dump},
	 * {@code manifest}); empty for a source that reports nothing of its own.
	 */
	default Map<String, Object> verified() {
		return Map.of();
	}

	/** What a whole read of a backup's archive checked, once {@link ArchiveContents#finish} passed. */
	static Map<String, Object> verified(Backup backup, ArchiveContents archive, BackupManifest manifest) {
		Map<String, Object> checks = new LinkedHashMap<>();
		// source: the copy store's object when the primary was missing or damaged
		checks.put("archive", Map.of("size", backup.archiveSize(), "sha256", backup.archiveSha256(), "authenticated",
				true, "sha256_matches_catalogue", true, "source", archive.source()));
		checks.put("dump", Map.of("size", archive.dumpSize(), "rdb_version", archive.rdbVersion(), "crc64", "ok",
				"sha256_matches_manifest", manifest.rdbSha256() != null, "parsed", "whole", "entries",
				List.of(ArchiveFormat.DUMP, ArchiveFormat.MANIFEST)));
		// an import's manifest has no Redis version and no key counts: they are left out
		Map<String, Object> manifestChecks = new LinkedHashMap<>();
		manifestChecks.put("backup_id", String.valueOf(manifest.backupId()));
		if (manifest.redisVersion() != null) {
			manifestChecks.put("redis_version", manifest.redisVersion());
		}
		if (manifest.keysPerDb() != null) {
			manifestChecks.put("keys_per_db", manifest.keysPerDb());
		}
		checks.put("manifest", manifestChecks);
		return checks;
	}

	/** A backup's whole dump, from its archive. */
	static DumpSource archive(ArchiveReader archives, JsonMapper json, Backup backup, int maxRdb) throws IOException {
		ArchiveContents archive = ArchiveContents.open(archives, backup, maxRdb);
		return new DumpSource() {

			private Map<String, Object> verified = Map.of();

			@Override
			public long size() {
				return archive.dumpSize();
			}

			@Override
			public byte[] copy(OutputStream out, int holdBack) throws IOException {
				return archive.copyDump(out, holdBack);
			}

			@Override
			public void finish() throws IOException {
				this.verified = DumpSource.verified(backup, archive, archive.finish(json));
			}

			@Override
			public Map<String, Object> verified() {
				return this.verified;
			}

			@Override
			public void close() throws IOException {
				archive.close();
			}

			@Override
			public String source() {
				return archive.source();
			}

		};
	}

	/** Opens the dump to send, for a target that reads RDB versions up to {@code maxRdb}. */
	@FunctionalInterface
	interface Opener {

		DumpSource open(int maxRdb) throws IOException;

	}

}
