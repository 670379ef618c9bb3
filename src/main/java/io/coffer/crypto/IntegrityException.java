package io.coffer.crypto;

import java.io.IOException;

/**
 * Stored bytes failed authentication: they were tampered with, truncated, reordered, or
 * belong to another object. No plaintext of the failing part is ever returned.
 */
public class IntegrityException extends IOException {

	public IntegrityException(String message) {
		super(message);
	}

	static IntegrityException atSegment(long segmentIndex) {
		return new IntegrityException(
				"backup object failed authentication at segment " + segmentIndex + ": tampered or truncated");
	}

}
