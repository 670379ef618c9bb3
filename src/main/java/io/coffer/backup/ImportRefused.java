package io.coffer.backup;

import io.coffer.system.Refused;

/** The upload is not a dump Coffer can keep; nothing of it was kept. */
public class ImportRefused extends Refused {

	/** @param code {@code invalid_archive}, {@code invalid_rdb} or {@code invalid_upload} */
	public ImportRefused(String code, String message) {
		super(code, message);
	}

}
