package io.coffer.pitr;

import java.util.Locale;

/** What a running archiver does, as {@code GET /databases/{db}/pitr} names it in {@code state}. */
enum ArchiverState {

	/** Connecting to the node, or trying again after a failure ({@code last_error} says which). */
	CONNECTING,

	/**
	 * It needs a full synchronisation and waits for its turn ({@code coffer.pitr.max-concurrent-full-syncs}),
	 * without a connection to the node meanwhile.
	 */
	WAITING_FOR_FULL_SYNC,

	/** The node's dump is being received and shipped as a base backup. */
	FULL_SYNC,

	/** The node's command stream is being archived. */
	ARCHIVING;

	String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

}
