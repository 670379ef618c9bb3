package io.coffer.web;

import java.util.List;

import io.coffer.catalog.DatabaseNotFound;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.Restore;
import io.coffer.catalog.RestoreRepository;
import io.coffer.restore.RestoreLauncher;
import io.coffer.system.InvalidRequest;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Restores of a database's backups: in place, or into another registered (empty) database, which the
 * caller must be allowed to act on as well.
 */
@RestController
@RequestMapping("/api/v1/databases/{db}/restores")
class RestoreController {

	private final DatabaseRepository databases;

	private final RestoreRepository restores;

	private final RestoreLauncher launcher;

	RestoreController(DatabaseRepository databases, RestoreRepository restores, RestoreLauncher launcher) {
		this.databases = databases;
		this.restores = restores;
		this.launcher = launcher;
	}

	/**
	 * @param backup a backup id or {@code latest} (the default)
	 * @param target {@code in_place} (the default) or {@code new_database}
	 * @param app for {@code new_database}: the app of the registered, empty database to fill
	 * @param targetDatabase for {@code new_database}: that database's id, instead of {@code app}
	 * @param verifyBeforeLoad true: also read and check the whole archive once before touching the target
	 * (default: {@code coffer.restore.verify-before-load}, false: checked as fully in one pass while it streams)
	 * @param keys Redis glob patterns: only the keys matching one are restored (absent: the whole backup)
	 * @param dryRun with {@code keys}: count what would be written and what the target already holds; write nothing
	 * @param at an ISO-8601 instant: restore the database as it was then (its base backup, then the archived
	 * commands up to that time); not with {@code backup} or {@code keys}
	 */
	record CreateRequest(String backup, String target, String app, String targetDatabase, Boolean verifyBeforeLoad,
			List<String> keys, Boolean dryRun, String at) {
	}

	@PostMapping
	@ResponseStatus(HttpStatus.ACCEPTED)
	RestoreView create(Caller caller, @PathVariable String db, @RequestBody(required = false) CreateRequest request) {
		requireDatabase(caller, db);
		CreateRequest body = (request != null) ? request : new CreateRequest(null, null, null, null, null, null, null, null);
		// loading into a database is acting on it: a database's token reaches only its own, and must not
		// learn by the answer whether another tenant's app or database exists, nor its id
		requireVisibleTarget(caller, body);
		String target = this.launcher.targetOf(db, body.target(), body.app(), body.targetDatabase());
		caller.requireAccess(target);
		if (body.at() != null) {
			if (body.backup() != null || body.keys() != null || body.dryRun() != null) {
				throw new InvalidRequest("\"at\" restores the database as it was at that time, from the base backup"
						+ " Coffer chooses: send it without \"backup\", \"keys\" or \"dry_run\"");
			}
			return RestoreView.of(this.launcher.launchAt(db, PointInTime.parse(body.at()), body.target(), target,
					body.verifyBeforeLoad()));
		}
		return RestoreView.of(this.launcher.launch(db, body.backup(), body.target(), target, body.verifyBeforeLoad(),
				body.keys(), body.dryRun()));
	}

	@GetMapping("/{restore}")
	RestoreView get(Caller caller, @PathVariable String db, @PathVariable String restore) {
		requireDatabase(caller, db);
		return this.restores.find(db, restore)
			.map(RestoreView::of)
			.orElseThrow(() -> ApiException.notFound("restore " + restore));
	}

	/**
	 * Refuses a {@code new_database} target the caller may not act on before anything is looked up, with
	 * the very answer {@link RestoreLauncher#targetOf} gives for one that does not exist.
	 */
	private void requireVisibleTarget(Caller caller, CreateRequest body) {
		if (caller.isOperator() || !Restore.NEW_DATABASE.equals(body.target())) {
			return;
		}
		if (body.targetDatabase() != null && !body.targetDatabase().isBlank()) {
			if (!caller.mayAccess(body.targetDatabase())) {
				throw new DatabaseNotFound(body.targetDatabase());
			}
			return;
		}
		if (body.app() != null && !body.app().isBlank()) {
			boolean own = this.databases.findLive(caller.databaseId())
				.map((database) -> database.app().equals(body.app()))
				.orElse(false);
			if (!own) {
				throw DatabaseNotFound.ofApp(body.app());
			}
		}
	}

	private void requireDatabase(Caller caller, String db) {
		caller.requireAccess(db);
		if (this.databases.findLive(db).isEmpty()) {
			throw new DatabaseNotFound(db);
		}
	}

}
