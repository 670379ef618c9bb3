package io.coffer.web;

import java.io.IOException;
import java.util.List;

import io.coffer.archive.ArchiveReader;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.pitr.PointInTimeReader;
import io.coffer.restore.PointInTimeArchive;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Downloads of a backup's archive, decrypted on the fly from object storage, whole or as a single
 * byte range; with {@code raw=true} the stored object as it is, for the operator. And the database as of a point
 * in time, made on request.
 * <p>
 * What is sent, and how a damaged object cuts the response short, is {@link ArchiveDownload}'s, which
 * the dashboard's download shares.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}/backups")
class BackupArchiveController {

	private static final String LATEST = "latest";

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final ArchiveDownload download;

	private final PointInTimeArchive pointInTime;

	BackupArchiveController(DatabaseRepository databases, BackupRepository backups, ArchiveDownload download,
			PointInTimeArchive pointInTime) {
		this.pointInTime = pointInTime;
		this.databases = databases;
		this.backups = backups;
		this.download = download;
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
			this.download.sendStored(found, response);
			return;
		}
		ArchiveReader.Range range = requestedRange(rangeHeader, ifRange, ArchiveDownload.etag(found),
				found.archiveSize(), response);
		this.download.send(found, range, response);
	}

	/**
	 * The database as it was at {@code time}: an archive made on request (base backup and archived commands
	 * replayed into a scratch server, which dumps it), streamed as it is written, so without a length.
	 */
	@GetMapping("/at/{time}/archive")
	void downloadAt(Caller caller, @PathVariable String db, @PathVariable String time, HttpServletResponse response)
			throws IOException {
		caller.requireAccess(db);
		PointInTimeReader.Plan plan = this.pointInTime.plan(db, PointInTime.parse(time));
		response.setContentType("application/gzip");
		response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
				ContentDisposition.attachment().filename(PointInTimeArchive.fileName(plan)).build().toString());
		response.setHeader("X-Coffer-Base-Backup", plan.base().id());
		this.pointInTime.write(plan, response.getOutputStream());
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

}
