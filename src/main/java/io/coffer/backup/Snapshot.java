package io.coffer.backup;

import io.coffer.catalog.ReplicationPosition;

import java.io.Closeable;
import java.io.InputStream;
import java.time.Duration;

/**
 * The RDB of one node, being read. Closing it before the end abandons the transfer and
 * releases the connection or file.
 */
public interface Snapshot extends Closeable {

	/** Exactly the bytes of the RDB, nothing before or after. */
	InputStream stream();

	/** The RDB size in bytes when the node announced it, else {@code -1}. */
	long expectedLength();

	/** The node and how the snapshot is taken, e.g. {@code "127.0.0.1:6380 (replication stream)"}. */
	String nodeDescription();

	/**
	 * How long the node took from our request to the first byte of the RDB (for a length-prefixed
	 * replication stream: its whole BGSAVE to its disk), or {@code null} when not measured.
	 */
	default Duration nodePreparation() {
		return null;
	}

	/**
	 * Where the dump stands in the node's replication history, when the node announced it
	 * ({@code +FULLRESYNC <replid> <offset>}); null when it did not (BGSAVE, a node that only knows {@code SYNC}).
	 */
	default ReplicationPosition replicationPosition() {
		return null;
	}

}
