package io.coffer.archive;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongConsumer;

import io.coffer.crypto.EncryptingOutputStream;
import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.pipeline.DigestingOutputStream;
import io.coffer.pipeline.ParallelGzipOutputStream;
import io.coffer.pipeline.rdb.RdbCheckingInputStream;
import io.coffer.pipeline.rdb.RdbSummary;
import io.coffer.storage.BlobUpload;
import io.coffer.storage.StoredBlob;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The one writer of the archive format ({@link ArchiveFormat}): packages an RDB and ships it, in one
 * pass with bounded memory and no temporary file: RDB (parsed as it streams: every structure, the CRC-64, its keys counted) → tar ({@code dump.rdb},
 * then {@code backup.json}) → parallel gzip → size and SHA-256 of the archive → segmented AES-256-GCM →
 * size and SHA-256 of the stored bytes → multipart upload. Each filter's result is read after the stream has ended.
 */
public final class ArchiveWriter {

	private static final int COPY_BUFFER = 256 * 1024;

	private static final int GZIP_BLOCK = 1024 * 1024;

	private final int compressionLevel;

	private final int compressionThreads;

	private final int maxRdbVersion;

	ArchiveWriter(int compressionLevel, int compressionThreads, int maxRdbVersion) {
		this.compressionLevel = compressionLevel;
		this.compressionThreads = compressionThreads;
		this.maxRdbVersion = maxRdbVersion;
	}

	/**
	 * What one shipment produced: the figures the catalogue records, and what the parse of the dump
	 * learned (its exact keys per database).
	 */
	public record Shipped(long rdbSize, int rdbVersion, String rdbSha256, long archiveSize, String archiveSha256,
			long storedSize, String storedSha256, String keyId, RdbSummary rdb) {

		/** Keys per logical database as {@code db0 → n}, the way the manifest and the catalogue name them. */
		public Map<String, Long> keysPerDb() {
			return BackupManifest.perDb(this.rdb.keysPerDb());
		}

		/** Keys with a time to live per logical database, named like {@link #keysPerDb()}. */
		public Map<String, Long> expiringKeysPerDb() {
			return BackupManifest.perDb(this.rdb.expiringKeysPerDb());
		}

	}

	/**
	 * Streams {@code rdb} (of {@code rdbLength} bytes, which the tar header needs before the data) into
	 * {@code upload} and completes it; a failure aborts the upload before the pipeline is closed.
	 * @param manifestOf builds the manifest once the dump's version, size and digest are known
	 * @param progress told the number of RDB bytes read so far, now and then
	 */
	Shipped write(InputStream rdb, long rdbLength, Instant createdAt, KeyEncryptionKey kek, BlobUpload upload,
			Function<Shipped, BackupManifest> manifestOf, LongConsumer progress, ManifestWriter manifestWriter)
			throws IOException {
		if (rdbLength < 0) {
			throw new IOException("the node did not announce the size of its snapshot, which the archive needs first");
		}
		DigestingOutputStream stored = new DigestingOutputStream(upload);
		EncryptingOutputStream encrypted = new EncryptingOutputStream(stored, kek);
		DigestingOutputStream archive = new DigestingOutputStream(encrypted);
		ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(archive, this.compressionLevel,
				this.compressionThreads, GZIP_BLOCK);
		RdbCheckingInputStream checkedRdb = new RdbCheckingInputStream(rdb, this.maxRdbVersion, rdbLength);
		DigestInputStream rdbDigest = new DigestInputStream(checkedRdb, MeasuringInputStream.sha256());
		TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip);
		Shipped partial;
		try {
			tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			tar.putArchiveEntry(entry(ArchiveFormat.DUMP, rdbLength, createdAt));
			copy(rdbDigest, tar, rdbLength, progress);
			if (!checkedRdb.isVerified()) {
				throw new IOException("the snapshot ended before its RDB could be checked");
			}
			tar.closeArchiveEntry();
			partial = new Shipped(rdbLength, checkedRdb.rdbVersion(), hex(rdbDigest), 0, null, 0, null, kek.id(),
					checkedRdb.summary());
			byte[] manifest = manifestWriter.write(manifestOf.apply(partial));
			tar.putArchiveEntry(entry(ArchiveFormat.MANIFEST, manifest.length, createdAt));
			tar.write(manifest);
			tar.closeArchiveEntry();
			tar.finish();
			// closing the chain writes the last gzip member and the last encrypted segment
			tar.close();
		}
		catch (IOException | RuntimeException ex) {
			// Abort before anything is closed: closing would finish the archive, and a shorter
			// archive that decrypts fine must never be stored.
			abortQuietly(upload, ex);
			closeQuietly(tar);
			checkedRdb.stopChecking();
			throw ex;
		}
		StoredBlob blob = upload.complete();
		if (blob.size() != stored.size()) {
			throw new IOException("object storage holds " + blob.size() + " bytes where " + stored.size()
					+ " were sent");
		}
		return new Shipped(partial.rdbSize(), partial.rdbVersion(), partial.rdbSha256(), archive.size(),
				archive.sha256Hex(), stored.size(), stored.sha256Hex(), kek.id(), partial.rdb());
	}

	static TarArchiveEntry entry(String name, long size, Instant modified) {
		TarArchiveEntry entry = new TarArchiveEntry(name);
		entry.setSize(size);
		entry.setMode(0100644);
		entry.setModTime(Date.from(modified));
		return entry;
	}

	private static void copy(InputStream in, TarArchiveOutputStream out, long length, LongConsumer progress)
			throws IOException {
		byte[] buffer = new byte[COPY_BUFFER];
		long copied = 0;
		long lastReport = System.nanoTime();
		while (copied < length) {
			int read = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
			if (read < 0) {
				throw new IOException("the snapshot ended after " + copied + " of " + length + " bytes");
			}
			out.write(buffer, 0, read);
			copied += read;
			if (System.nanoTime() - lastReport > 1_000_000_000L) {
				progress.accept(copied);
				lastReport = System.nanoTime();
			}
		}
		if (in.read() >= 0) {
			throw new IOException("the snapshot is longer than the " + length + " bytes the node announced");
		}
		progress.accept(copied);
	}

	/** Serializes the manifest; kept apart so that the JSON mapper is the application's. */
	interface ManifestWriter {

		byte[] write(BackupManifest manifest) throws IOException;

	}

	private static String hex(DigestInputStream digest) {
		return HexFormat.of().formatHex(digest.getMessageDigest().digest());
	}

	static void abortQuietly(BlobUpload upload, Exception cause) {
		try {
			upload.abort();
		}
		catch (IOException | RuntimeException ex) {
			cause.addSuppressed(ex);
		}
	}

	private static void closeQuietly(TarArchiveOutputStream tar) {
		try {
			tar.close();
		}
		catch (IOException | RuntimeException ex) {
			// expected: the upload under it is aborted
		}
	}

}
