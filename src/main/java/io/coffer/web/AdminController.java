package io.coffer.web;

import java.io.IOException;

import io.coffer.backup.CatalogueRebuild;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What the operator does when things have gone badly wrong. */
@RestController
@RequestMapping("/api/v1/admin")
class AdminController {

	private final CatalogueRebuild rebuild;

	AdminController(CatalogueRebuild rebuild) {
		this.rebuild = rebuild;
	}

	/**
	 * Puts back the rows of backups whose objects are in the bucket but not in the catalogue. Runs to its
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
