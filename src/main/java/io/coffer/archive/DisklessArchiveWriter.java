package io.coffer.archive;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.LongConsumer;

import io.coffer.crypto.EncryptingOutputStream;
import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.crypto.ObjectHeader;
import io.coffer.pipeline.ParallelGzipOutputStream;
import io.coffer.pipeline.StoredGzipMember;
import io.coffer.pipeline.rdb.RdbCheckingInputStream;
import io.coffer.storage.BlobUpload;
import io.coffer.storage.StoredBlob;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;

/**
 * Writes the same archive as {@link ArchiveWriter} from a dump whose length is known only at its end (a
 * diskless replication stream), still in one pass, still uploading as it streams. The archive stays a
 * standard {@code .tar.gz}; what differs is its first gzip member: the tar header of {@code dump.rdb}
 * alone, stored uncompressed, so that its length does not depend on the dump's length written in it.
 * Room is left for it, and it is written last, in three places held back for that: the first
 * encrypted segment (encrypted only then), the start of the upload (S3: part 1, sent last) and two
 * owner-only local spools, of the archive and of the stored bytes, whose SHA-256 are computed once
 * they are complete (a digest cannot start before its first bytes are known). See docs/DESIGN.md,
 * "Diskless backups".
 */
final class DisklessArchiveWriter {

	private static final int COPY_BUFFER = 256 * 1024;

	private static final int GZIP_BLOCK = 1024 * 1024;

	private static final int TAR_BLOCK = TarConstants.DEFAULT_RCDSIZE;

	/** Commons Compress' (and GNU tar's) record: the archive's length is a multiple of it. */
	private static final int TAR_RECORD = TarConstants.DEFAULT_BLKSIZE;

	/** The first gzip member: the tar header of {@code dump.rdb}, stored. */
	static final int HEADER_MEMBER_LENGTH = StoredGzipMember.length(TAR_BLOCK);

	private final int compressionLevel;

	private final int compressionThreads;

	private final int maxRdbVersion;

	private final Path spoolFolder;

	DisklessArchiveWriter(int compressionLevel, int compressionThreads, int maxRdbVersion, Path spoolFolder) {
		this.compressionLevel = compressionLevel;
		this.compressionThreads = compressionThreads;
		this.maxRdbVersion = maxRdbVersion;
		this.spoolFolder = spoolFolder;
	}

	/**
	 * The start of the stored object this writer rewrites at the end: the object header and the first
	 * encrypted segment. The upload must hold at least that back.
	 */
	static long rewrittenStart() {
		return ObjectHeader.LENGTH + EncryptingOutputStream.STORED_SEGMENT_LENGTH;
	}

	/**
	 * Streams {@code rdb} to its end into {@code upload} (opened holding its start back) and completes it;
	 * a failure aborts the upload. The spools are removed in every case.
	 */
	ArchiveWriter.Shipped write(InputStream rdb, Instant createdAt, KeyEncryptionKey kek, BlobUpload upload,
			Function<ArchiveWriter.Shipped, BackupManifest> manifestOf, LongConsumer progress,
			ArchiveWriter.ManifestWriter manifestWriter) throws IOException {
		ArchiveSpool storedSpool = null;
		ArchiveSpool archiveSpool = null;
		try {
			storedSpool = ArchiveSpool.create(this.spoolFolder, "stored-", new NotClosing(upload));
			EncryptingOutputStream encrypted = new EncryptingOutputStream(storedSpool, kek, true);
			archiveSpool = ArchiveSpool.create(this.spoolFolder, "archive-", encrypted);
			return write(rdb, createdAt, kek, upload, manifestOf, progress, manifestWriter, storedSpool, encrypted,
					archiveSpool);
		}
		catch (IOException | RuntimeException ex) {
			ArchiveWriter.abortQuietly(upload, ex);
			throw ex;
		}
		finally {
			deleteQuietly(archiveSpool);
			deleteQuietly(storedSpool);
		}
	}

	private ArchiveWriter.Shipped write(InputStream rdb, Instant createdAt, KeyEncryptionKey kek, BlobUpload upload,
			Function<ArchiveWriter.Shipped, BackupManifest> manifestOf, LongConsumer progress,
			ArchiveWriter.ManifestWriter manifestWriter, ArchiveSpool storedSpool, EncryptingOutputStream encrypted,
			ArchiveSpool archiveSpool) throws IOException {
		// room for the header member, rewritten below once the dump's length is known
		archiveSpool.write(new byte[HEADER_MEMBER_LENGTH]);
		ParallelGzipOutputStream gzip = new ParallelGzipOutputStream(archiveSpool, this.compressionLevel,
				this.compressionThreads, GZIP_BLOCK);
		RdbCheckingInputStream checkedRdb = new RdbCheckingInputStream(rdb, this.maxRdbVersion, -1);
		DigestInputStream rdbDigest = new DigestInputStream(checkedRdb, MeasuringInputStream.sha256());
		ArchiveWriter.Shipped partial;
		try {
			long rdbLength = copy(rdbDigest, gzip, progress);
			if (!checkedRdb.isVerified()) {
				throw new IOException("the snapshot ended before its RDB could be checked");
			}
			long tarLength = TAR_BLOCK + rdbLength;
			tarLength += pad(gzip, tarLength);
			partial = new ArchiveWriter.Shipped(rdbLength, checkedRdb.rdbVersion(),
					HexFormat.of().formatHex(rdbDigest.getMessageDigest().digest()), 0, null, 0, null, kek.id(),
					checkedRdb.summary());
			byte[] manifest = manifestWriter.write(manifestOf.apply(partial));
			gzip.write(header(ArchiveFormat.MANIFEST, manifest.length, createdAt));
			gzip.write(manifest);
			tarLength += TAR_BLOCK + manifest.length;
			tarLength += pad(gzip, tarLength);
			// the end of the archive: two zero blocks, then zeros up to a whole record, as tar writes it
			long end = tarLength + 2L * TAR_BLOCK;
			long recordEnd = ((end + TAR_RECORD - 1) / TAR_RECORD) * TAR_RECORD;
			gzip.write(new byte[(int) (recordEnd - tarLength)]);
			gzip.close();
			byte[] headerMember = StoredGzipMember.of(header(ArchiveFormat.DUMP, rdbLength, createdAt));
			encrypted.rewriteStart(headerMember);
			archiveSpool.rewrite(0, headerMember);
			encrypted.close();
			byte[] firstSegment = encrypted.firstSegmentStored();
			if (firstSegment != null) {
				upload.rewriteStart(encrypted.firstSegmentOffset(), firstSegment);
				storedSpool.rewrite(encrypted.firstSegmentOffset(), firstSegment);
			}
		}
		catch (IOException | RuntimeException ex) {
			// abort before closing: closing would finish the archive (see ArchiveWriter)
			ArchiveWriter.abortQuietly(upload, ex);
			closeQuietly(gzip);
			checkedRdb.stopChecking();
			throw ex;
		}
		String[] digests = digests(archiveSpool, storedSpool);
		if (storedSpool.size() != upload.bytesWritten()) {
			throw new IOException("the upload received " + upload.bytesWritten() + " bytes where " + storedSpool.size()
					+ " were stored");
		}
		StoredBlob blob = upload.complete();
		if (blob.size() != storedSpool.size()) {
			throw new IOException("object storage holds " + blob.size() + " bytes where " + storedSpool.size()
					+ " were sent");
		}
		return new ArchiveWriter.Shipped(partial.rdbSize(), partial.rdbVersion(), partial.rdbSha256(),
				archiveSpool.size(), digests[0], storedSpool.size(), digests[1], kek.id(), partial.rdb());
	}

	/** The tar header of one entry, 512 bytes; a size beyond tar's octal field in base-256, as GNU tar reads it. */
	static byte[] header(String name, long size, Instant modified) throws IOException {
		TarArchiveEntry entry = ArchiveWriter.entry(name, size, modified);
		byte[] block = new byte[TAR_BLOCK];
		entry.writeEntryHeader(block, ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8), true);
		return block;
	}

	/** Both SHA-256 at once, on two threads: the archive's and the stored object's. */
	private static String[] digests(ArchiveSpool archive, ArchiveSpool stored) throws IOException {
		CompletableFuture<String> archiveDigest = CompletableFuture.supplyAsync(() -> {
			try {
				return archive.sha256Hex();
			}
			catch (IOException ex) {
				throw new CompletionException(ex);
			}
		});
		String storedDigest = stored.sha256Hex();
		try {
			return new String[] { archiveDigest.join(), storedDigest };
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			throw ex;
		}
	}

	private static long copy(InputStream in, OutputStream out, LongConsumer progress) throws IOException {
		byte[] buffer = new byte[COPY_BUFFER];
		long copied = 0;
		long lastReport = System.nanoTime();
		int read;
		while ((read = in.read(buffer)) >= 0) {
			out.write(buffer, 0, read);
			copied += read;
			if (System.nanoTime() - lastReport > 1_000_000_000L) {
				progress.accept(copied);
				lastReport = System.nanoTime();
			}
		}
		progress.accept(copied);
		return copied;
	}

	/** Zeros up to the next tar block; returns how many. */
	private static int pad(OutputStream out, long length) throws IOException {
		int padding = (int) ((TAR_BLOCK - length % TAR_BLOCK) % TAR_BLOCK);
		out.write(new byte[padding]);
		return padding;
	}

	private static void closeQuietly(OutputStream out) {
		try {
			out.close();
		}
		catch (IOException | RuntimeException ex) {
			// expected: the upload under it is aborted
		}
	}

	private static void deleteQuietly(ArchiveSpool spool) {
		if (spool != null) {
			try {
				spool.delete();
			}
			catch (IOException ex) {
				// owner-only, and ArchiveShipment clears the spool folder at the next start
			}
		}
	}

	/** Lets the encrypting stream close what it writes to without completing the upload. */
	private static final class NotClosing extends FilterOutputStream {

		NotClosing(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			this.out.write(bytes, offset, length);
		}

		@Override
		public void close() throws IOException {
			this.out.flush();
		}

	}

}
