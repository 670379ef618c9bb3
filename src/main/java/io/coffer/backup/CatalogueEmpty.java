package io.coffer.backup;

import io.coffer.system.Conflict;

/** A snapshot of a catalogue without any database is not written: it would only hide the previous one's. */
public class CatalogueEmpty extends Conflict {

	CatalogueEmpty() {
		super("catalogue_empty", "the catalogue has no database: there is nothing to snapshot. A lost catalogue"
				+ " comes back with POST /api/v1/admin/catalogue/rebuild (coffer rebuild-catalogue)");
	}

}
