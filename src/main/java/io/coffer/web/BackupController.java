package io.coffer.web;

import java.io.IOException;
import java.util.List;

import io.coffer.backup.BackupImporter;
import io.coffer.backup.BackupLauncher;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupNotFound;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.storage.CopyStore;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/databases/{db}/backups")
class BackupController {

	private final DatabaseRepository databases;

	private final BackupRepository backups;

	private final BackupLauncher launcher;

	private final BackupImporter importer;

	private final CopyStore copies;

	BackupController(DatabaseRepository databases, BackupRepository backups, BackupLauncher launcher,
			BackupImporter importer, CopyStore copies) {
		this.copies = copies;
		this.databases = databases;
		this.backups = backups;
		this.launcher = launcher;
		this.importer = importer;
	}

	@GetMapping
	List<BackupView> list(Caller caller, @PathVariable String db) {
		requireDatabase(caller, db);
		return this.backups.findAll(db).stream().map(this::view).toList();
	}

	@PostMapping
	@ResponseStatus(HttpStatus.ACCEPTED)
	BackupView create(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		return view(this.launcher.launch(db, Backup.MANUAL));
	}

	/**
	 * An external dump becomes a {@code done} backup, read from the request body as it arrives: a raw
	 * RDB ({@code application/octet-stream}, with its {@code Content-Length}) or a {@code .tar.gz} whose
	 * first file is {@code dump.rdb} ({@code application/gzip}).
	 */
	@PostMapping(path = "/import", consumes = { MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/gzip",
			"application/x-gzip" })
	@ResponseStatus(HttpStatus.CREATED)
	BackupView importDump(Caller caller, @PathVariable String db, HttpServletRequest request) throws IOException {
		caller.requireAccess(db);
		MediaType type = MediaType.parseMediaType(request.getContentType());
		if (MediaType.APPLICATION_OCTET_STREAM.equalsTypeAndSubtype(type)) {
			return view(this.importer.importRdb(db, request.getInputStream(), request.getContentLengthLong()));
		}
		return view(this.importer.importArchive(db, request.getInputStream()));
	}

	@GetMapping("/{backup}")
	BackupView get(Caller caller, @PathVariable String db, @PathVariable String backup) {
		requireDatabase(caller, db);
		return this.backups.find(db, backup)
			.map(this::view)
			.orElseThrow(() -> new BackupNotFound(backup));
	}

	private BackupView view(Backup backup) {
		return BackupView.of(backup, this.copies.isConfigured());
	}

	private void requireDatabase(Caller caller, String db) {
		caller.requireAccess(db);
		if (this.databases.findLive(db).isEmpty()) {
			throw new DatabaseNotFound(db);
		}
	}

}
