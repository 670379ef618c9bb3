package io.coffer.backup;

import io.coffer.system.CofferException;

/** The dump to import is larger than an import may be ({@code coffer.import.max-size}). */
public class ImportTooLarge extends CofferException {

	public ImportTooLarge(String message) {
		super("dump_too_large", message);
	}

}
