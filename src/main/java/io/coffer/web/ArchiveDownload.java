package io.coffer.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import io.coffer.archive.ArchiveReader;
import io.coffer.catalog.Backup;
import io.coffer.crypto.IntegrityException;
import io.coffer.crypto.UnknownKeyException;
import io.coffer.storage.BlobNotFoundException;
import io.coffer.storage.BlobStoreException;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * Sends a done backup's archive as an HTTP response, for the API's and the dashboard's download alike:
 * the same headers, the same statuses for an object that is missing or damaged, the same way of cutting
 * short a response whose object fails once bytes are on their way.
 * <p>
 * The body is written straight to the response, so a download holds a few segments' worth of memory
 * whatever its size. Headers, and with them the exact {@code Content-Length}, are sent before the
 * object has been read to the end: if it then fails authentication, the response is aborted short of
 * that length, so that no client can take a damaged archive for a complete one, unless the backup has a copy
 * in the copy store, which the rest is then read from (the {@value #SOURCE} header tells of a switch made
 * before the first bytes; a later one is logged).
 */
@Component
public class ArchiveDownload {

	private static final Logger log = LoggerFactory.getLogger(ArchiveDownload.class);

	private static final MediaType GZIP = MediaType.parseMediaType("application/gzip");

	/**
	 * Bytes moved per write: large, so that the servlet thread spends its time in few copies and socket writes
	 * (decryption, read-ahead and the archive's digest run on other threads).
	 */
	private static final int BUFFER_SIZE = 256 * 1024;

	/**
	 * Where the archive is read from: {@code primary}, or {@code copy} when the backup's own object is missing
	 * or damaged and its copy in the copy store is sent instead.
	 */
	public static final String SOURCE = "X-Coffer-Source";

	private final ArchiveReader archives;

	ArchiveDownload(ArchiveReader archives) {
		this.archives = archives;
	}

	/** The archive's version as HTTP names it: its SHA-256, quoted. */
	public static String etag(Backup backup) {
		return "\"" + backup.archiveSha256() + "\"";
	}

	/**
	 * The plain {@code .tar.gz} of a done backup, whole ({@code range} null) or the single range asked for
	 * ({@code 206} with its {@code Content-Range}).
	 */
	public void send(Backup backup, ArchiveReader.Range range, HttpServletResponse response) throws IOException {
		ArchiveReader.Archive archive = open(backup, (range != null) ? range : ArchiveReader.Range.whole(backup));
		try (archive) {
			response.setContentType(GZIP.toString());
			response.setHeader(SOURCE, archive.source());
			response.setHeader(HttpHeaders.CONTENT_DISPOSITION, attachment(backup.name()));
			response.setHeader(HttpHeaders.ETAG, etag(backup));
			response.setHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
			if (range != null) {
				response.setStatus(HttpStatus.PARTIAL_CONTENT.value());
				response.setHeader(HttpHeaders.CONTENT_RANGE,
						"bytes " + range.offset() + "-" + range.last() + "/" + backup.archiveSize());
				response.setContentLengthLong(range.length());
			}
			else {
				response.setContentLengthLong(backup.archiveSize());
			}
			copy(archive, response, backup);
		}
	}

	/** The stored object as it is, still encrypted, named like the archive with {@code .enc}. */
	public void sendStored(Backup backup, HttpServletResponse response) throws IOException {
		ArchiveReader.Archive stored;
		try {
			stored = this.archives.openStored(backup);
		}
		catch (BlobStoreException ex) {
			throw unreadable(backup, ex);
		}
		try (stored) {
			response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
			response.setHeader(SOURCE, stored.source());
			response.setHeader(HttpHeaders.CONTENT_DISPOSITION, attachment(backup.name() + ".enc"));
			response.setContentLengthLong(backup.storedSize());
			copy(stored, response, backup);
		}
	}

	private ArchiveReader.Archive open(Backup backup, ArchiveReader.Range range) throws IOException {
		try {
			return this.archives.open(backup, range);
		}
		catch (IOException ex) {
			throw unreadable(backup, ex);
		}
	}

	private static RuntimeException unreadable(Backup backup, Exception failure) {
		if (failure instanceof IntegrityException || failure instanceof UnknownKeyException) {
			return ApiException.unprocessable("backup_unreadable",
					"backup " + backup.id() + " cannot be read back: " + failure.getMessage());
		}
		if (failure instanceof BlobNotFoundException) {
			log.error("The stored object of backup {} is missing: {}", backup.id(), failure.getMessage());
			return new ApiException(HttpStatus.GONE, "archive_missing",
					"the archive of backup " + backup.id() + " is missing from the backup storage");
		}
		if (failure instanceof BlobStoreException) {
			// its message names the storage's endpoint, bucket and key: for the log, not the caller
			return ApiException.unavailable("storage_unavailable", ApiErrorHandler.STORAGE_UNAVAILABLE, failure);
		}
		return (failure instanceof RuntimeException runtime) ? runtime : new UncheckedIOException((IOException) failure);
	}

	/**
	 * A failure to read is the archive's: the response is aborted once anything was sent. A failure to write is the client's,
	 * who went away: there is nobody left to answer.
	 */
	private static void copy(InputStream source, HttpServletResponse response, Backup backup) throws IOException {
		OutputStream out = response.getOutputStream();
		byte[] buffer = new byte[BUFFER_SIZE];
		while (true) {
			int read;
			try {
				read = source.read(buffer);
			}
			catch (IOException | RuntimeException ex) {
				if (!response.isCommitted()) {
					// nothing sent yet: there is still time for a proper answer
					response.reset();
					throw unreadable(backup, ex);
				}
				closeQuietly(out);
				throw new ArchiveDownloadAbortedException(backup, ex);
			}
			if (read == -1) {
				return;
			}
			try {
				out.write(buffer, 0, read);
			}
			catch (IOException ex) {
				log.debug("The client stopped downloading backup {}: {}", backup.id(), ex.getMessage());
				return;
			}
		}
	}

	/**
	 * Short of its {@code Content-Length}: a closed response takes no more bytes, so that no error page
	 * rendered afterwards can be appended to the archive and pass for its end.
	 */
	private static void closeQuietly(OutputStream out) {
		try {
			out.close();
		}
		catch (IOException ex) {
			// the connection is being given up anyway
		}
	}

	private static String attachment(String fileName) {
		return ContentDisposition.attachment().filename(fileName).build().toString();
	}

}
