package io.coffer.catalog;

import java.util.Objects;

/**
 * A point in a Redis node's replication history: its replication id ({@code replid}, 40 hex characters) and
 * the byte offset of the command stream. A dump announced by {@code +FULLRESYNC <replid> <offset>} is the
 * dataset at exactly that offset; the command stream that follows starts at {@code offset + 1}.
 */
public record ReplicationPosition(String replid, long offset) {

	public ReplicationPosition {
		Objects.requireNonNull(replid, "replid");
		if (offset < 0) {
			throw new IllegalArgumentException("a replication offset is never negative: " + offset);
		}
	}

}
