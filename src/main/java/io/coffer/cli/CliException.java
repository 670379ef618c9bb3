package io.coffer.cli;

/** A failure told to the user in one sentence, without a stack trace; the command exits with 1. */
class CliException extends RuntimeException {

	CliException(String message) {
		super(message, null, false, false);
	}

	/** What a verb says when the service answers that it has no such route yet. */
	static CliException notOffered(String thing, String detail) {
		return new CliException("the service does not offer " + thing + " yet"
				+ ((detail != null && !detail.isBlank()) ? ": " + detail : ""));
	}

}
