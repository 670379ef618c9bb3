package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;

import io.coffer.archive.ArchiveContents;
import io.coffer.archive.ArchiveReader;
import io.coffer.catalog.Backup;
import tools.jackson.databind.json.JsonMapper;

/**
 * A dump that {@link DumpLoader} sends to a target: its length first (the replication protocol announces
 * it), then its bytes, the last ones only once the whole was found sound. A backup's whole dump, or one of
 * its selected keys ({@link KeyRestore#filtered}).
 */
interface DumpSource extends AutoCloseable {

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

	/** A backup's whole dump, from its archive. */
	static DumpSource archive(ArchiveReader archives, JsonMapper json, Backup backup, int maxRdb) throws IOException {
		ArchiveContents archive = ArchiveContents.open(archives, backup, maxRdb);
		return new DumpSource() {

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
				archive.finish(json);
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
