package io.coffer.backup;

import io.coffer.system.CofferException;

/** The import failed for a reason that is not the upload's: a fault of the service, logged with its cause. */
public class ImportFailed extends CofferException {

	public ImportFailed(String message, Throwable cause) {
		super("internal_error", message, cause);
	}

}
