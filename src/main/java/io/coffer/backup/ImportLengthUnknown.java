package io.coffer.backup;

import io.coffer.system.CofferException;

/** A raw dump was sent without its length: the archive records its size before its bytes. */
public class ImportLengthUnknown extends CofferException {

	public ImportLengthUnknown(String message) {
		super("length_required", message);
	}

}
