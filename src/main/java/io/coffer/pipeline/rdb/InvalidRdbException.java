package io.coffer.pipeline.rdb;

import java.io.IOException;

/**
 * A Redis dump that is not whole or not a dump at all; the message is a sentence meant for
 * the backup's error reason and for the user who sent the dump: where it went wrong (the byte
 * offset from the start of the dump, when known) and what was wrong there.
 */
public class InvalidRdbException extends IOException {

	private final long offset;

	public InvalidRdbException(String message) {
		super(message);
		this.offset = -1;
	}

	/**
	 * @param offset where in the dump the fault starts, counted in bytes from its first byte
	 * @param what what is wrong there, as a sentence without the offset
	 */
	public InvalidRdbException(long offset, String what) {
		super(String.format("offset %,d: %s", offset, what));
		this.offset = offset;
	}

	/** Where in the dump the fault starts, or -1 when it is not about one place. */
	public long offset() {
		return this.offset;
	}

}
