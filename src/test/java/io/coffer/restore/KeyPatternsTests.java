package io.coffer.restore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.coffer.system.InvalidRequest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The patterns of a restore of selected keys select what Redis' own {@code KEYS} selects, on a real server,
 * and a list that is empty, too long or holds a malformed pattern is refused with why.
 */
class KeyPatternsTests {

	private static final List<String> KEYS = List.of("cart:1", "cart:12", "cart:", "carts:1", "session:42",
			"session:420", "user:a", "user:b", "user:c", "user:^", "user:-", "literal*star", "literalXstar",
			"q?", "qq", "brackets[x]", "back\\slash", "héllo", "", "a", "abc", "aXbXc", "aaaaaaaaaaaaaaaaaaaab",
			"space key", "x]y");

	private static final List<String> PATTERNS = List.of("cart:*", "session:42", "*", "?", "user:[ab]",
			"user:[^ab]", "user:[a-b]", "user:[b-a]", "user:[\\^]", "literal\\*star", "literal*star", "q\\?", "q?",
			"brackets\\[x\\]", "back\\\\slash", "h?llo", "h*llo", "a*b*c", "*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*c",
			"space*", "x]y", "[^c]*", "*[0-9]", "session:4[0-9]*", "*:*", "[]x", "user:[-]");

	@Test
	void theyMatchWhatKeysMatchesOnARealServer() {
		try (RedisServerProcess redis = RedisServerProcess.start(); Jedis jedis = redis.jedis()) {
			for (String key : KEYS) {
				if (!key.isEmpty()) {
					jedis.set(key, "v");
				}
			}
			for (String pattern : PATTERNS) {
				Set<String> byRedis = new TreeSet<>(jedis.keys(pattern));
				KeyPatterns patterns = KeyPatterns.of(List.of(pattern));
				Set<String> ours = new TreeSet<>();
				for (String key : KEYS) {
					if (!key.isEmpty() && patterns.matches(key.getBytes(StandardCharsets.UTF_8))) {
						ours.add(key);
					}
				}
				assertThat(ours).as(pattern).isEqualTo(byRedis);
			}
		}
	}

	@Test
	void aCraftedPatternIsMatchedQuickly() {
		KeyPatterns patterns = KeyPatterns.of(List.of("*a".repeat(200) + "b"));
		byte[] key = "a".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
		// exponential backtracking would not return for ages; a linear walk answers at once
		assertThat(patterns.matches(key)).isFalse();
	}

	@Test
	void badListsAreRefusedWithWhy() {
		assertRefused(null, "at least one pattern");
		assertRefused(List.of(), "at least one pattern");
		assertRefused(List.of("cart:*", ""), "pattern 2 of \"keys\" is empty");
		assertRefused(List.of("[abc"), "never closed");
		assertRefused(List.of("abc\\"), "lone \\");
		assertRefused(List.of("x".repeat(KeyPatterns.MAX_PATTERN_BYTES + 1)), "at most 1024");
		assertRefused(Collections.nCopies(KeyPatterns.MAX_PATTERNS + 1, "a*"), "at most 100");
		List<String> duplicates = new ArrayList<>(List.of("a*", "a*", "b"));
		assertThat(KeyPatterns.of(duplicates).patterns()).containsExactly("a*", "b");
	}

	private static void assertRefused(List<String> patterns, String why) {
		assertThatThrownBy(() -> KeyPatterns.of(patterns)).isInstanceOf(InvalidRequest.class).hasMessageContaining(why);
	}

}
