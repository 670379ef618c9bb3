package io.coffer.engine;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key check of a starter upgrade: every key of the dump must be loaded again, or have expired if it
 * had a TTL.
 */
class EngineUpgradeKeyCountsTest {

	private static final EngineUpgradeSteps.KeyCounts BEFORE = EngineUpgradeSteps.KeyCounts
		.of(Map.of("db0", "keys=200,expires=50,avg_ttl=1000,subexpiry=0", "db3", "keys=20,expires=20,avg_ttl=10"));

	@Test
	void keysWithATtlMayHaveExpiredWhileTheNodeRestarted() {
		assertThat(BEFORE.missingFromLoad(220, 0)).isEmpty();
		assertThat(BEFORE.missingFromLoad(180, 40)).isEmpty();
		assertThat(BEFORE.missingFromLoad(150, 70)).isEmpty();
	}

	@Test
	void everyKeyOfTheDumpMustBeLoadedOrHaveExpired() {
		assertThat(BEFORE.missingFromLoad(219, 0))
			.hasValue("it loaded 219 keys and dropped 0 expired ones, of the 220 it had (150 without a TTL, 70 with one)");
		// more expired than had a TTL: keys without one were dropped
		assertThat(BEFORE.missingFromLoad(149, 71)).isPresent();
		// more loaded than there were: another dump
		assertThat(BEFORE.missingFromLoad(221, 0)).isPresent();
		assertThat(BEFORE.missingFromLoad(-1, 0)).hasValueSatisfying(
				(missing) -> assertThat(missing).contains("rdb_last_load_keys_loaded"));
	}

}
