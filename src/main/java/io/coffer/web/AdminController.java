package io.coffer.web;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import io.coffer.backup.CatalogueRebuild;
import io.coffer.backup.CatalogueSnapshots;
import io.coffer.catalog.CatalogueTables;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseStatus;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What the operator does when things have gone badly wrong. */
@RestController
@RequestMapping("/api/v1/admin")
class AdminController {

	private final CatalogueRebuild rebuild;

	private final CatalogueSnapshots snapshots;

	AdminController(CatalogueRebuild rebuild, CatalogueSnapshots snapshots) {
		this.rebuild = rebuild;
		this.snapshots = snapshots;
	}

	record Snapshot(String objectKey, long size, Instant storedAt) {
	}

	/**
	 * The catalogue's snapshots in the bucket, newest first.
	 * @param changesPending whether a change is recorded that no snapshot holds yet
	 * @param lastWritten the newest snapshot this catalogue wrote (null before its first)
	 */
	record Snapshots(List<Snapshot> snapshots, boolean changesPending, CatalogueTables.Written lastWritten) {
	}

	@GetMapping("/catalogue/snapshots")
	Snapshots snapshots(Caller caller) throws IOException {
		caller.requireOperator();
		List<Snapshot> stored = this.snapshots.list()
			.stream()
			.map((object) -> new Snapshot(object.key(), object.size(), object.lastModified()))
			.toList();
		return new Snapshots(stored, this.snapshots.changesPending(), this.snapshots.lastWritten().orElse(null));
	}

	/** Writes a snapshot of the catalogue now, whether anything changed or not. */
	@PostMapping("/catalogue/snapshots")
	@ResponseStatus(HttpStatus.CREATED)
	CatalogueSnapshots.Written writeSnapshot(Caller caller) throws IOException {
		caller.requireOperator();
		return this.snapshots.write();
	}

	/**
	 * A catalogue without any database gets its whole state back from the newest snapshot that reads back;
	 * then, in any catalogue, puts back the rows of backups whose objects are in the bucket but not in it. Runs to its
	 * end before answering: every such object is read whole. {@code ?database=<id>} limits it to the objects
	 * of that database's folder.
	 */
	@PostMapping("/catalogue/rebuild")
	CatalogueRebuild.Report rebuildCatalogue(Caller caller, @RequestParam(required = false) String database)
			throws IOException {
		caller.requireOperator();
		return this.rebuild.rebuild((database != null && !database.isBlank()) ? database : null);
	}

}
