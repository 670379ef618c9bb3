package io.coffer.restore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.SentinelSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * Keeps sentinels from failing the primary over while it replicates from Coffer.
 * <p>
 * A sentinel takes a master that reports {@code role:slave} for longer than its
 * {@code down-after-milliseconds} (plus two INFO periods, 20 s) for down, and with a quorum a failover
 * follows: the replica would be promoted and the restored data thrown away. So while the dump loads,
 * each sentinel's {@code down-after-milliseconds} for the master is raised to the load timeout; once
 * the target is a primary again and each sentinel has seen it report {@code role:master}, the original
 * value is set back. A sentinel that cannot be reached is skipped, as long as the held ones are a
 * majority: without a majority no sentinel can be elected to lead a failover.
 */
final class SentinelHold {

	private static final Logger log = LoggerFactory.getLogger(SentinelHold.class);

	private static final String DOWN_AFTER = "down-after-milliseconds";

	/** Sentinels refresh a master's INFO every 10 s: seeing the role back takes up to that. */
	private static final Duration ROLE_SEEN_TIMEOUT = Duration.ofSeconds(30);

	private final RedisConnections connections;

	private final SentinelSet sentinels;

	private final Map<RedisEndpoint, String> originals = new LinkedHashMap<>();

	/** Sentinels that said they took the raised setting: a majority of them keeps a failover from happening. */
	private int confirmed;

	private SentinelHold(RedisConnections connections, SentinelSet sentinels) {
		this.connections = connections;
		this.sentinels = sentinels;
	}

	/**
	 * Raises {@code down-after-milliseconds} on every reachable sentinel.
	 * @throws IllegalStateException when fewer than a majority of the sentinels could be held (those
	 * that were are released again)
	 */
	static SentinelHold hold(RedisConnections connections, SentinelSet sentinels, Duration loadTimeout,
			Consumer<Map<String, String>> journal) {
		SentinelHold hold = new SentinelHold(connections, sentinels);
		List<String> failures = new ArrayList<>();
		String raised = String.valueOf(loadTimeout.toMillis());
		for (RedisEndpoint sentinel : sentinels.sentinels()) {
			try (Jedis jedis = connections.open(sentinel)) {
				String original = jedis.sentinelMaster(sentinels.masterName()).get(DOWN_AFTER);
				hold.originals.put(sentinel, original);
				// journaled before it is raised: an instance that stops now leaves what to set it back to
				journal.accept(hold.originals());
				jedis.sentinelSet(sentinels.masterName(), Map.of(DOWN_AFTER, raised));
				hold.confirmed++;
			}
			catch (RuntimeException ex) {
				// a sentinel whose answer was lost may have been raised all the same: it stays to be set back
				failures.add(RedisConnections.describe(sentinel, ex).getMessage());
			}
		}
		if (hold.confirmed <= sentinels.sentinels().size() / 2) {
			int confirmed = hold.confirmed;
			hold.release(null);
			throw new IllegalStateException("only " + confirmed + " of " + sentinels.sentinels().size()
					+ " sentinels could be told to hold off a failover during the restore, not a majority: "
					+ String.join("; ", failures));
		}
		log.info("Sentinels {} hold off failovers of {} for up to {}", hold.originals.keySet(),
				sentinels.masterName(), loadTimeout);
		return hold;
	}

	/**
	 * The hold an instance that stopped left on the sentinels, as its restore's journal recorded it, so
	 * that another instance can {@link #release} it.
	 * @param originals each held sentinel's address with its original {@code down-after-milliseconds}
	 */
	static SentinelHold resume(RedisConnections connections, SentinelSet sentinels, Map<String, String> originals) {
		SentinelHold hold = new SentinelHold(connections, sentinels);
		for (RedisEndpoint sentinel : sentinels.sentinels()) {
			String original = originals.get(sentinel.address());
			if (original != null) {
				hold.originals.put(sentinel, original);
			}
		}
		return hold;
	}

	/** Each held sentinel's address with its original {@code down-after-milliseconds}. */
	Map<String, String> originals() {
		Map<String, String> byAddress = new LinkedHashMap<>();
		this.originals.forEach((sentinel, original) -> byAddress.put(sentinel.address(), original));
		return byAddress;
	}

	int heldCount() {
		return this.confirmed;
	}

	/** Releases the sentinels after a failed load, logging what could not be undone: the failure is what matters. */
	void releaseAfterFailure(RedisEndpoint primary) {
		try {
			release(primary);
		}
		catch (RuntimeException ex) {
			log.warn("Could not release the sentinels after a failed restore of {}", primary.address(), ex);
		}
	}

	/**
	 * Sets each sentinel's original {@code down-after-milliseconds} back, once it has seen
	 * {@code primary} report {@code role:master} (or at once when {@code primary} is null).
	 * @return sentences about sentinels that could not be released, empty when all were
	 */
	List<String> release(RedisEndpoint primary) {
		List<String> problems = new ArrayList<>();
		long deadline = System.nanoTime() + ROLE_SEEN_TIMEOUT.toNanos();
		for (Map.Entry<RedisEndpoint, String> held : this.originals.entrySet()) {
			RedisEndpoint sentinel = held.getKey();
			try (Jedis jedis = this.connections.open(sentinel)) {
				if (primary != null) {
					awaitRoleMaster(jedis, deadline);
				}
				jedis.sentinelSet(this.sentinels.masterName(), Map.of(DOWN_AFTER, held.getValue()));
			}
			catch (RuntimeException ex) {
				String problem = "sentinel " + sentinel.address() + " still has " + DOWN_AFTER + " raised for "
						+ this.sentinels.masterName() + " (set it back to " + held.getValue() + "): "
						+ RedisConnections.describe(sentinel, ex).getMessage();
				log.warn(problem);
				problems.add(problem);
			}
		}
		this.originals.clear();
		this.confirmed = 0;
		return problems;
	}

	private void awaitRoleMaster(Jedis jedis, long deadline) {
		while (!"master".equals(jedis.sentinelMaster(this.sentinels.masterName()).get("role-reported"))) {
			if (System.nanoTime() > deadline) {
				// setting the original back now would let the sentinel judge the master down on its stale view
				throw new IllegalStateException("it did not see the primary report role:master within "
						+ ROLE_SEEN_TIMEOUT.toSeconds() + " s");
			}
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while waiting for the sentinel", ex);
			}
		}
	}

}
