package io.coffer.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the archive format ({@link ArchiveFormat}: {@code dump.rdb}, then {@code backup.json}, in a tar, in
 * gzip) unencrypted, straight to a client: for archives made on request rather than stored, such as a database
 * as of a point in time.
 */
public final class PlainArchiveWriter {

	private PlainArchiveWriter() {
	}

	/** Writes the archive of {@code rdb} ({@code rdbLength} bytes) and {@code manifest} to {@code out}, and finishes it. */
	public static void write(OutputStream out, InputStream rdb, long rdbLength, byte[] manifest, Instant modified)
			throws IOException {
		GZIPOutputStream gzip = new GZIPOutputStream(out, 256 * 1024);
		TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip);
		tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
		tar.putArchiveEntry(ArchiveWriter.entry(ArchiveFormat.DUMP, rdbLength, modified));
		long copied = rdb.transferTo(tar);
		if (copied != rdbLength) {
			throw new IOException("the dump is " + copied + " bytes where " + rdbLength + " were announced");
		}
		tar.closeArchiveEntry();
		tar.putArchiveEntry(ArchiveWriter.entry(ArchiveFormat.MANIFEST, manifest.length, modified));
		tar.write(manifest);
		tar.closeArchiveEntry();
		tar.finish();
		gzip.finish();
		out.flush();
	}

}
