package io.coffer.backup;

import io.coffer.redis.RedisEndpoint;

import java.io.IOException;

/**
 * A way to obtain a node's RDB: {@code stream} (replication protocol) or {@code file}
 * (BGSAVE, then read the dump).
 */
public interface SnapshotSource {

	/** The acquisition mode as the job parameters name it. */
	String mode();

	/**
	 * Starts the snapshot of {@code node}.
	 * @throws RedisAccessException when the node cannot be reached, refuses us or fails the snapshot
	 * @throws IOException when reading the snapshot fails
	 */
	Snapshot open(RedisEndpoint node) throws IOException;

}
