package io.coffer.backup;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;

import java.util.Map;

import redis.clients.jedis.Jedis;

/** What a node does when a replica declares {@code capa eof}. */
final class DisklessSync {

	private DisklessSync() {
	}

	/**
	 * Whether the node, asked for a diskless transfer, would stream at once: {@code repl-diskless-sync yes}
	 * and {@code repl-diskless-sync-delay 0}. With a delay it would first wait that long for more replicas,
	 * longer than a BGSAVE of a small dataset to its disk; where {@code CONFIG} is refused (renamed on
	 * hosted Redis), it is not known: the length-prefixed transfer then, as before.
	 */
	static boolean streamsAtOnce(RedisConnections connections, RedisEndpoint node) {
		try (Jedis jedis = connections.open(node)) {
			Map<String, String> config = jedis.configGet("repl-diskless-sync*");
			return "yes".equalsIgnoreCase(config.get("repl-diskless-sync"))
					&& "0".equals(config.get("repl-diskless-sync-delay"));
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
