package io.coffer.testsupport;

import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration change the tests of configuration jobs ask of a starter database (persistence by AOF only,
 * cache mode, an idle timeout), and what its node must show once it took it and was restarted, whichever
 * driver runs the node.
 */
public final class ChangedSettings {

	/** The change: no snapshots, the AOF, cache mode, a 300 s idle timeout. */
	public static final String AOF_CACHE_TIMEOUT = "{\"rdb\": false, \"aof\": true, \"cache_mode\": true, \"timeout\": 300}";

	/** How many keys {@link #writeKeys} writes before the change. */
	public static final int KEYS = 200;

	private ChangedSettings() {
	}

	public static void writeKeys(Jedis jedis) {
		for (int i = 0; i < KEYS; i++) {
			jedis.set("key-" + i, "value-" + i);
		}
	}

	/** The node restarted from its rewritten file has the change's settings and, from its AOF, every key. */
	public static void assertKeptAcrossARestart(Jedis jedis) {
		assertTaken(jedis);
		assertThat(jedis.dbSize()).isEqualTo(KEYS);
		assertThat(jedis.get("key-" + (KEYS - 1))).isEqualTo("value-" + (KEYS - 1));
	}

	/** The node runs with the change's settings. */
	public static void assertTaken(Jedis jedis) {
		assertThat(jedis.configGet("appendonly")).containsEntry("appendonly", "yes");
		assertThat(jedis.configGet("save")).containsEntry("save", "");
		assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
		assertThat(jedis.configGet("timeout")).containsEntry("timeout", "300");
	}

}
