package io.coffer.provision;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key check of a starter upgrade: every key without a TTL must be loaded again, keys with one may
 * have expired meanwhile.
 */
class EngineUpgradeKeyCountsTest {

	private static final EngineUpgradeSteps.KeyCounts BEFORE = EngineUpgradeSteps.KeyCounts
		.of(Map.of("db0", "keys=200,expires=50,avg_ttl=1000,subexpiry=0", "db3", "keys=20,expires=20,avg_ttl=10"));

	@Test
	void keysWithATtlMayBeGoneAfterTheRestart() {
		assertThat(BEFORE.missingFrom(EngineUpgradeSteps.KeyCounts.of(Map.of("db0", "keys=160,expires=10,avg_ttl=900"))))
			.isEmpty();
		assertThat(BEFORE.missingFrom(BEFORE)).isEmpty();
	}

	@Test
	void keysWithoutATtlMustAllBeLoadedAgain() {
		assertThat(BEFORE.missingFrom(EngineUpgradeSteps.KeyCounts.of(Map.of("db0", "keys=199,expires=50",
				"db3", "keys=20,expires=20"))))
			.hasValue("db0 has 149 keys without a TTL, not the 150 it had");
		assertThat(BEFORE.missingFrom(EngineUpgradeSteps.KeyCounts.of(Map.of("db0", "keys=200,expires=50",
				"db5", "keys=1,expires=0"))))
			.hasValue("db5 has 1 keys without a TTL, not the 0 it had");
		assertThat(BEFORE.missingFrom(EngineUpgradeSteps.KeyCounts.of(Map.of("db0", "keys=210,expires=60"))))
			.hasValue("db0 has 60 keys with a TTL, more than the 50 it had");
	}

}
