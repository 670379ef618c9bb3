package io.coffer.pipeline;

import java.io.IOException;

/**
 * A Redis dump that is not whole or not a dump at all; the message is a sentence meant for
 * the backup's error reason.
 */
public class InvalidRdbException extends IOException {

	public InvalidRdbException(String message) {
		super(message);
	}

}
