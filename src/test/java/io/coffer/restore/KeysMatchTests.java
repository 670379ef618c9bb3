package io.coffer.restore;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a restore and a drill accept of the keys a target holds after loading a dump. */
class KeysMatchTests {

	private static final Map<String, Long> DUMP = Map.of("db0", 100L, "db3", 10L);

	private static final Map<String, Long> EXPIRING = Map.of("db0", 20L);

	@Test
	void theDumpsKeysExactlyMatch() {
		assertThat(RestoreSteps.keysMatch(DUMP, EXPIRING, Map.of("db0", 100L, "db3", 10L))).isTrue();
	}

	@Test
	void keysWithATimeToLiveMayHaveExpiredButNoMore() {
		assertThat(RestoreSteps.keysMatch(DUMP, EXPIRING, Map.of("db0", 80L, "db3", 10L))).isTrue();
		assertThat(RestoreSteps.keysMatch(DUMP, EXPIRING, Map.of("db0", 79L, "db3", 10L))).isFalse();
		assertThat(RestoreSteps.keysMatch(DUMP, EXPIRING, Map.of("db0", 100L, "db3", 9L))).isFalse();
	}

	@Test
	void moreKeysThanTheDumpOrAnotherDatabaseDoNotMatch() {
		assertThat(RestoreSteps.keysMatch(DUMP, EXPIRING, Map.of("db0", 101L, "db3", 10L))).isFalse();
		assertThat(RestoreSteps.keysMatch(DUMP, EXPIRING, Map.of("db0", 100L, "db3", 10L, "db1", 1L))).isFalse();
	}

	@Test
	void withoutExpiringCountsTheComparisonIsExact() {
		assertThat(RestoreSteps.keysMatch(DUMP, Map.of(), Map.of("db0", 99L, "db3", 10L))).isFalse();
	}

}
