package io.coffer.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

import io.coffer.archive.ArchiveReader;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.crypto.IntegrityException;
import io.coffer.crypto.UnknownKeyException;
import io.coffer.storage.BlobNotFoundException;
import io.coffer.storage.BlobStoreException;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Downloads of a backup's archive, decrypted on the fly from object storage, whole or as a single
 * byte range; with {@code raw=true} the stored object as it is, for the operator.
 * <p>
 * The body is written straight to the response, so a download holds a segment's worth of memory
 * whatever its size. Headers, and with them the exact {@code Content-Length}, are sent before the
 * object has been read to the end: if it then fails authentication, the response is aborted short of
 * that length, so that no client can take a damaged archive for a complete one.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}/backups")
class BackupArchiveController {

	private static final Logger log = LoggerFactory.getLogger(BackupArchiveController.class);

	private static final String LATEST = "latest";

	private static final MediaType GZIP = MediaType.parseMediaType("application/gzip");

	private static final int BUFFER_SIZE = 64 * 1024;

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final ArchiveReader archives;

	BackupArchiveController(DatabaseRepository databases, BackupRepository backups, ArchiveReader archives) {
		this.databases = databases;
		this.backups = backups;
		this.archives = archives;
	}

	@GetMapping("/{backup}/archive")
	void download(Caller caller, @PathVariable String db, @PathVariable String backup,
			@RequestParam(defaultValue = "false") boolean raw,
			@RequestHeader(name = HttpHeaders.RANGE, required = false) String rangeHeader,
			@RequestHeader(name = HttpHeaders.IF_RANGE, required = false) String ifRange,
			HttpServletResponse response) throws IOException {
		if (raw) {
			caller.requireOperator();
		}
		Backup found = find(caller, db, backup);
		if (raw) {
			sendStored(found, response);
			return;
		}
		String etag = "\"" + found.archiveSha256() + "\"";
		long size = found.archiveSize();
		ArchiveReader.Range range = requestedRange(rangeHeader, ifRange, etag, size, response);
		InputStream archive = open(found, (range != null) ? range : ArchiveReader.Range.whole(found));
		try (archive) {
			response.setContentType(GZIP.toString());
			response.setHeader(HttpHeaders.CONTENT_DISPOSITION, attachment(found.name()));
			response.setHeader(HttpHeaders.ETAG, etag);
			response.setHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
			if (range != null) {
				response.setStatus(HttpStatus.PARTIAL_CONTENT.value());
				response.setHeader(HttpHeaders.CONTENT_RANGE,
						"bytes " + range.offset() + "-" + range.last() + "/" + size);
				response.setContentLengthLong(range.length());
			}
			else {
				response.setContentLengthLong(size);
			}
			copy(archive, response, found);
		}
	}

	private Backup find(Caller caller, String db, String backup) {
		caller.requireAccess(db);
		if (this.databases.findLive(db).isEmpty()) {
			throw ApiException.notFound("database " + db);
		}
		if (LATEST.equals(backup)) {
			return this.backups.findLatestGood(db)
				.orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "no_backup", this.backups.noGoodBackup(db)));
		}
		Backup found = this.backups.find(db, backup).orElseThrow(() -> ApiException.notFound("backup " + backup));
		if (found.status() != RunStatus.DONE) {
			throw ApiException.conflict("backup_not_done", "backup " + backup + " is " + found.status().value()
					+ ": only a done backup has an archive to download");
		}
		return found;
	}

	/**
	 * The single range asked for, or null for the whole archive: when there is no {@code Range}, when it
	 * is not one range of bytes that this server understands (a server may ignore it), or when
	 * {@code If-Range} names another version of the archive.
	 */
	private static ArchiveReader.Range requestedRange(String rangeHeader, String ifRange, String etag, long size,
			HttpServletResponse response) {
		if (rangeHeader == null || (ifRange != null && !ifRange.trim().equals(etag))) {
			return null;
		}
		List<HttpRange> ranges;
		try {
			ranges = HttpRange.parseRanges(rangeHeader);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (ranges.size() != 1) {
			return null;
		}
		HttpRange range = ranges.get(0);
		long first;
		long last;
		try {
			first = range.getRangeStart(size);
			last = range.getRangeEnd(size);
		}
		catch (IllegalArgumentException ex) {
			first = size;
			last = size - 1;
		}
		if (first >= size || last < first) {
			// the header goes with the error body that the exception handler writes
			response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
			throw new ApiException(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "range_not_satisfiable",
					"the archive is " + size + " bytes long; the range " + rangeHeader + " is not within it");
		}
		return ArchiveReader.Range.between(first, last);
	}

	private InputStream open(Backup backup, ArchiveReader.Range range) throws IOException {
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
			// its message names the storage's endpoint, bucket and key: for the log (ApiErrorHandler), not the caller
			return ApiException.unavailable("storage_unavailable", ApiErrorHandler.STORAGE_UNAVAILABLE, failure);
		}
		return (failure instanceof RuntimeException runtime) ? runtime : new UncheckedIOException((IOException) failure);
	}

	private void sendStored(Backup backup, HttpServletResponse response) throws IOException {
		InputStream stored;
		try {
			stored = this.archives.openStored(backup);
		}
		catch (BlobStoreException ex) {
			throw unreadable(backup, ex);
		}
		try (stored) {
			response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
			response.setHeader(HttpHeaders.CONTENT_DISPOSITION, attachment(backup.name() + ".enc"));
			response.setContentLengthLong(backup.storedSize());
			copy(stored, response, backup);
		}
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
