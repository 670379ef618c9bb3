package io.coffer.web;

import java.util.List;

import io.coffer.backup.BackupLauncher;
import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.system.ApiException;

import org.springframework.http.HttpStatus;
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

	BackupController(DatabaseRepository databases, BackupRepository backups, BackupLauncher launcher) {
		this.databases = databases;
		this.backups = backups;
		this.launcher = launcher;
	}

	@GetMapping
	List<BackupView> list(Caller caller, @PathVariable String db) {
		requireDatabase(caller, db);
		return this.backups.findAll(db).stream().map(BackupView::of).toList();
	}

	@PostMapping
	@ResponseStatus(HttpStatus.ACCEPTED)
	BackupView create(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		return BackupView.of(this.launcher.launch(db, Backup.MANUAL));
	}

	@GetMapping("/{backup}")
	BackupView get(Caller caller, @PathVariable String db, @PathVariable String backup) {
		requireDatabase(caller, db);
		return this.backups.find(db, backup)
			.map(BackupView::of)
			.orElseThrow(() -> ApiException.notFound("backup " + backup));
	}

	private void requireDatabase(Caller caller, String db) {
		caller.requireAccess(db);
		if (this.databases.findLive(db).isEmpty()) {
			throw ApiException.notFound("database " + db);
		}
	}

}
