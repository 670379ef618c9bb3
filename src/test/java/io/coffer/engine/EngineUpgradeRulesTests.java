package io.coffer.engine;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The upgrade rules against a catalogue of several majors, case by case. */
class EngineUpgradeRulesTests {

	private static final EngineUpgradeRules rules = new EngineUpgradeRules(versions("6.0.16", "6.2.6", "6.2.14",
			"7.0.15", "7.2.4", "7.4.1", "8.0.2"));

	/**
	 * {@code first}: the version the refusal sends the user to, {@code -} when the refusal names none;
	 * {@code message}: a part of the sentence the user reads.
	 */
	@ParameterizedTest(name = "{0} -> {1}: {2}")
	@CsvSource(delimiter = '|', textBlock = """
			# current | target | allowed | first  | message
			6.0.16    | 6.2.6  | yes     |        |
			6.0.16    | 6.2.14 | yes     |        |
			6.2.6     | 6.2.14 | yes     |        |
			7.0.15    | 7.4.1  | yes     |        |
			6.2.14    | 7.0.15 | yes     |        |
			6.2.14    | 7.4.1  | yes     |        |
			6.2.6     | 7.0.15 | yes     |        |
			7.4.1     | 8.0.2  | yes     |        |
			7.4.0     | 8.0.2  | yes     |        |
			7.3.0     | 7.4.1  | yes     |        |
			5.0.7     | 6.0.16 | yes     |        |
			5.0.7     | 6.2.14 | yes     |        |
			6.2.14    | 6.2.14 | no      | -      | already runs 6.2.14
			8.0.2     | 8.0.2  | no      | -      | already runs 8.0.2
			7.0.15    | 6.2.14 | no      | -      | never downgraded
			7.2.4     | 7.0.15 | no      | -      | never downgraded
			6.2.14    | 6.2.6  | no      | -      | never downgraded
			8.1.0     | 8.0.2  | no      | -      | never downgraded
			7.0.15    | 7.3.0  | no      | -      | 7.3.0 is not offered
			7.0.15    | 9.0.0  | no      | -      | 9.0.0 is not offered
			6.0.16    | 7.0.15 | no      | 6.2.14 | upgrade to 6.2.14 first
			6.0.16    | 7.4.1  | no      | 6.2.14 | must first run the latest 6.x
			7.0.15    | 8.0.2  | no      | 7.4.1  | upgrade to 7.4.1 first
			7.2.4     | 8.0.2  | no      | 7.4.1  | upgrade to 7.4.1 first
			6.2.14    | 8.0.2  | no      | 7.4.1  | one major version at a time: upgrade to 7.4.1 first
			6.0.16    | 8.0.2  | no      | 6.2.14 | upgrade to 6.2.14 first
			5.0.7     | 7.0.15 | no      | 6.2.14 | one major version at a time: upgrade to 6.2.14 first
			""")
	void decidesEachCase(String current, String target, String allowed, String first, String message) {
		var refusal = rules.refusal(EngineVersion.parse(current), EngineVersion.parse(target));
		if ("yes".equals(allowed)) {
			assertThat(refusal).isEmpty();
			assertThat(rules.available(EngineVersion.parse(current))).contains(EngineVersion.parse(target));
			return;
		}
		assertThat(refusal).isPresent();
		assertThat(refusal.get().message()).contains(message);
		assertThat(refusal.get().first()).isEqualTo("-".equals(first) ? null : EngineVersion.parse(first));
		assertThat(rules.available(EngineVersion.parse(current))).doesNotContain(EngineVersion.parse(target));
	}

	@Test
	void listsWhatADatabaseMayMoveToNowAndWhatItMustReachFirst() {
		assertThat(rules.available(EngineVersion.parse("6.0.16"))).containsExactlyElementsOf(versions("6.2.6", "6.2.14"));
		assertThat(rules.available(EngineVersion.parse("6.2.14")))
			.containsExactlyElementsOf(versions("7.0.15", "7.2.4", "7.4.1"));
		assertThat(rules.available(EngineVersion.parse("7.2.4"))).containsExactlyElementsOf(versions("7.4.1"));
		assertThat(rules.available(EngineVersion.parse("8.0.2"))).isEmpty();
		assertThat(rules.isLatest(EngineVersion.parse("8.0.2"))).isTrue();
		assertThat(rules.isLatest(EngineVersion.parse("7.4.1"))).isFalse();
		assertThat(rules.blocked(EngineVersion.parse("7.2.4")))
			.singleElement()
			.satisfies((blocked) -> {
				assertThat(blocked.version()).isEqualTo(EngineVersion.parse("8.0.2"));
				assertThat(blocked.refusal().first()).isEqualTo(EngineVersion.parse("7.4.1"));
			});
	}

	@Test
	void aMajorTheCatalogueNeverOfferedIsNotAStep() {
		EngineUpgradeRules skipping = new EngineUpgradeRules(versions("6.0.16", "6.2.14", "8.0.2"));
		assertThat(skipping.refusal(EngineVersion.parse("6.2.14"), EngineVersion.parse("8.0.2"))).isEmpty();
		assertThat(skipping.refusal(EngineVersion.parse("6.0.16"), EngineVersion.parse("8.0.2")))
			.hasValueSatisfying((refusal) -> assertThat(refusal.first()).isEqualTo(EngineVersion.parse("6.2.14")));
	}

	@Test
	void aCatalogueOfOneVersionOffersNothingToTheDatabasesOnIt() {
		EngineUpgradeRules single = new EngineUpgradeRules(versions("7.0.15"));
		assertThat(single.available(EngineVersion.parse("7.0.15"))).isEmpty();
		assertThat(single.isLatest(EngineVersion.parse("7.0.15"))).isTrue();
	}

	@ParameterizedTest
	@NullAndEmptySource
	@ValueSource(strings = { "7", "7.2", "v7.2.4", "7.2.4-rc1", "07.2.4", "7.2.4.1", "seven", "7.-2.4", "99999.0.0" })
	void refusesWhatIsNotAVersion(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> EngineVersion.parse(text))
			.withMessageContaining("is not a version: write it major.minor.patch");
	}

	@Test
	void ordersByNumberAndReadsWhatRedisServerReports() {
		assertThat(EngineVersion.parse("7.10.0")).isGreaterThan(EngineVersion.parse("7.2.0"));
		assertThat(EngineVersion.parse(" 7.2.4 ")).isEqualTo(new EngineVersion(7, 2, 4));
		assertThat(EngineVersion.fromVersionOutput(
				"Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=6e8ad2b7d3a0b2e1"))
			.isEqualTo(EngineVersion.parse("7.0.15"));
		assertThat(EngineVersion.fromVersionOutput("command not found")).isNull();
	}

	@Test
	void redisMovesToValkeyThatReadsItsDumpsAndNeverBackToARedisThatCannot() {
		EngineUpgradeRules mixed = new EngineUpgradeRules(versions("7.0.15", "7.2.4", "valkey 8.0.1", "valkey 9.0.0"));
		EngineVersion redis70 = EngineVersion.parse("7.0.15");
		EngineVersion valkey8 = EngineVersion.parse("valkey 8.0.1");
		assertThat(mixed.refusal(redis70, valkey8)).isEmpty();
		assertThat(mixed.refusal(EngineVersion.parse("7.2.4"), valkey8)).isEmpty();
		assertThat(mixed.refusal(valkey8, redis70)).hasValueSatisfying((refusal) -> assertThat(refusal.message())
			.isEqualTo("Valkey 8.0.1 writes RDB 11, which Redis 7.0.15 cannot read (it reads up to RDB 10): "
					+ "the data could not move back"));
		// Redis 7.2 reads the RDB 11 that Valkey 8 writes; Valkey 9's RDB 80 no Redis reads
		assertThat(mixed.refusal(valkey8, EngineVersion.parse("7.2.4"))).isEmpty();
		assertThat(mixed.refusal(EngineVersion.parse("valkey 9.0.0"), EngineVersion.parse("7.2.4"))).isPresent();
		// within Valkey, the version rules
		assertThat(mixed.refusal(EngineVersion.parse("valkey 9.0.0"), valkey8)).hasValueSatisfying(
				(refusal) -> assertThat(refusal.message()).contains("never downgraded"));
		assertThat(mixed.available(redis70)).extracting(EngineVersion::toString)
			.containsExactly("7.2.4", "valkey 8.0.1", "valkey 9.0.0");
		assertThat(mixed.available(valkey8)).extracting(EngineVersion::toString).containsExactly("7.2.4", "valkey 9.0.0");
	}

	@Test
	void readsTheEngineFromWhatTheProgramAndINFOReport() {
		assertThat(EngineVersion.fromVersionOutput("Valkey server v=8.0.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64"))
			.isEqualTo(EngineVersion.of("valkey", "8.0.1"));
		// a Valkey node reports redis_version 7.2.4 for compatibility: its own version is valkey_version
		assertThat(EngineVersion.fromInfo(java.util.Map.of("redis_version", "7.2.4", "valkey_version", "8.0.1")))
			.isEqualTo(EngineVersion.parse("valkey 8.0.1"));
		assertThat(EngineVersion.fromInfo(java.util.Map.of("redis_version", "7.0.15"))).isEqualTo(EngineVersion.parse("7.0.15"));
		assertThat(EngineVersion.parse("valkey 8.0.1").toString()).isEqualTo("valkey 8.0.1");
		assertThat(EngineVersion.parse("redis 7.0.15").toString()).isEqualTo("7.0.15");
		assertThatIllegalArgumentException().isThrownBy(() -> EngineVersion.parse("keydb 6.3.4"))
			.withMessageContaining("'keydb' is not an engine");
	}

	private static List<EngineVersion> versions(String... versions) {
		return Stream.of(versions).map(EngineVersion::parse).toList();
	}

}
