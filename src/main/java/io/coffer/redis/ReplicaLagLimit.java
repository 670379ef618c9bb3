package io.coffer.redis;

import java.time.Duration;

/**
 * How far behind its primary a replica may be and still be backed up instead of it.
 *
 * @param maxBytes replication offset the replica may lack, in bytes
 * @param maxSilence time since the replica last heard from its primary
 * ({@code master_last_io_seconds_ago}); the primary pings replicas every
 * {@code repl-ping-replica-period} (10 s by default), so keep this above that
 */
public record ReplicaLagLimit(long maxBytes, Duration maxSilence) {

	public static final ReplicaLagLimit DEFAULT = new ReplicaLagLimit(16 * 1024 * 1024, Duration.ofSeconds(30));

	public ReplicaLagLimit {
		if (maxBytes < 0 || maxSilence.isNegative()) {
			throw new IllegalArgumentException("replica lag limits cannot be negative");
		}
	}

}
