package io.coffer.restore;

import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a target is chosen to load, from its own figures: empty, from the socket with {@code on-empty-db};
 * with data, {@code swapdb} only when its memory holds twice the dataset, else from disk; and from disk,
 * its own setting untouched, when {@code coffer.restore.diskless-load} is off.
 */
class DisklessLoadTests {

	@Test
	void anEmptyTargetLoadsFromTheSocketOnlyWhileEmpty() {
		try (RedisServerProcess redis = RedisServerProcess.start(); Jedis jedis = redis.jedis()) {
			DisklessLoad.Choice choice = DisklessLoad.choose(jedis, true, 1_000_000);

			assertThat(choice.way()).isEqualTo(DisklessLoad.DISKLESS_EMPTY);
			assertThat(choice.value()).isEqualTo("on-empty-db");
			assertThat(choice.before()).isEqualTo("disabled");
			assertThat(choice.changes()).isTrue();
		}
	}

	@Test
	void aTargetWithDataSwapsOnlyWhenItsMemoryHoldsTwiceTheDataset() {
		try (RedisServerProcess redis = RedisServerProcess.start(); Jedis jedis = redis.jedis()) {
			redis.populate(2_000, "key", 100);
			assertThat(DisklessLoad.choose(jedis, true, 300_000).way()).isEqualTo(DisklessLoad.DISKLESS_SWAPDB);

			long used = Long.parseLong(redis.info("memory").get("used_memory"));
			jedis.configSet("maxmemory", String.valueOf(used + used / 2));
			DisklessLoad.Choice tight = DisklessLoad.choose(jedis, true, 300_000);
			assertThat(tight.way()).isEqualTo(DisklessLoad.DISK);
			assertThat(tight.value()).isEqualTo("disabled");
			assertThat(tight.why()).contains("exceeds");

			jedis.configSet("maxmemory", String.valueOf(4 * used));
			assertThat(DisklessLoad.choose(jedis, true, 300_000).way()).isEqualTo(DisklessLoad.DISKLESS_SWAPDB);
			// a dump larger than the memory in use stands for the new dataset
			assertThat(DisklessLoad.choose(jedis, true, 3 * used).way()).isEqualTo(DisklessLoad.DISK);
		}
	}

	@Test
	void switchedOffTheTargetLoadsAsItIsSet() {
		try (RedisServerProcess redis = RedisServerProcess.start(); Jedis jedis = redis.jedis()) {
			jedis.configSet(DisklessLoad.SETTING, "swapdb");
			DisklessLoad.Choice choice = DisklessLoad.choose(jedis, false, 1_000);

			assertThat(choice.way()).isEqualTo(DisklessLoad.DISKLESS_SWAPDB);
			assertThat(choice.changes()).isFalse();
			DisklessLoad.apply(jedis, choice);
			assertThat(jedis.configGet(DisklessLoad.SETTING).get(DisklessLoad.SETTING)).isEqualTo("swapdb");
		}
	}

}
