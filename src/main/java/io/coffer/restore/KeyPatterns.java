package io.coffer.restore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.coffer.system.InvalidRequest;

/**
 * The keys a restore of selected keys takes: Redis glob patterns, as {@code KEYS} and {@code SCAN MATCH}
 * read them ({@code *} any bytes, {@code ?} one byte, {@code [abc]}, {@code [a-z]}, {@code [^a]} a class of
 * bytes, {@code \} the next character taken literally), matched against a key's raw bytes, the pattern being
 * its UTF-8. A pattern Redis would read leniently (a class never closed, a {@code \} at its very end) is
 * refused instead, so that what it selects is never a surprise. Matching is linear in the key's length times
 * the pattern's, whatever the pattern: a {@code *} that fails is retried from one place only, so a crafted
 * pattern cannot make a restore crawl.
 */
public final class KeyPatterns {

	/** How many patterns one restore takes. */
	public static final int MAX_PATTERNS = 100;

	/** The longest pattern, in UTF-8 bytes. */
	public static final int MAX_PATTERN_BYTES = 1024;

	private final List<String> patterns;

	private final byte[][] compiled;

	private KeyPatterns(List<String> patterns) {
		this.patterns = List.copyOf(patterns);
		this.compiled = new byte[patterns.size()][];
		for (int i = 0; i < patterns.size(); i++) {
			this.compiled[i] = patterns.get(i).getBytes(StandardCharsets.UTF_8);
		}
	}

	/**
	 * The patterns of a request, checked.
	 * @throws InvalidRequest for an empty list, too many patterns, an empty, too long or malformed one
	 */
	public static KeyPatterns of(List<String> patterns) {
		if (patterns == null || patterns.isEmpty()) {
			throw new InvalidRequest("\"keys\" must list at least one pattern, like [\"cart:*\", \"session:42\"]");
		}
		if (patterns.size() > MAX_PATTERNS) {
			throw new InvalidRequest("\"keys\" lists " + patterns.size() + " patterns; at most " + MAX_PATTERNS
					+ " are taken at once");
		}
		List<String> checked = new ArrayList<>();
		for (int i = 0; i < patterns.size(); i++) {
			String pattern = patterns.get(i);
			if (pattern == null || pattern.isEmpty()) {
				throw new InvalidRequest("pattern " + (i + 1) + " of \"keys\" is empty");
			}
			byte[] bytes = pattern.getBytes(StandardCharsets.UTF_8);
			if (bytes.length > MAX_PATTERN_BYTES) {
				throw new InvalidRequest("pattern " + (i + 1) + " of \"keys\" is " + bytes.length + " bytes; at most "
						+ MAX_PATTERN_BYTES + " are taken");
			}
			String fault = fault(bytes);
			if (fault != null) {
				throw new InvalidRequest("pattern " + (i + 1) + " of \"keys\" (\"" + pattern + "\") " + fault);
			}
			if (!checked.contains(pattern)) {
				checked.add(pattern);
			}
		}
		return new KeyPatterns(checked);
	}

	/** The patterns, as they were asked for (duplicates left out). */
	public List<String> patterns() {
		return this.patterns;
	}

	/** Whether the key matches any of the patterns. */
	public boolean matches(byte[] key) {
		for (byte[] pattern : this.compiled) {
			if (matches(pattern, key)) {
				return true;
			}
		}
		return false;
	}

	/** What is wrong with a pattern, or null. */
	private static String fault(byte[] p) {
		int i = 0;
		while (i < p.length) {
			byte c = p[i];
			if (c == '\\') {
				if (i + 1 >= p.length) {
					return "ends with a lone \\: escape it as \\\\";
				}
				i += 2;
			}
			else if (c == '[') {
				int end = classEnd(p, i);
				if (end < 0) {
					return "opens a class with [ that is never closed: close it with ], or escape it as \\[";
				}
				i = end + 1;
			}
			else {
				i++;
			}
		}
		return null;
	}

	/** Where the class opened at {@code open} ends (its {@code ]}), or -1. */
	private static int classEnd(byte[] p, int open) {
		int i = open + 1;
		if (i < p.length && p[i] == '^') {
			i++;
		}
		while (i < p.length) {
			if (p[i] == '\\') {
				i += 2;
			}
			else if (p[i] == ']') {
				return i;
			}
			else {
				i++;
			}
		}
		return -1;
	}

	/**
	 * Glob matching with one backtracking point: each token but {@code *} matches exactly one byte, so on a
	 * mismatch the latest {@code *} taking one byte more is the only retry needed.
	 */
	static boolean matches(byte[] p, byte[] s) {
		int pi = 0;
		int si = 0;
		int starP = -1;
		int starS = -1;
		while (si < s.length) {
			if (pi < p.length) {
				byte c = p[pi];
				if (c == '*') {
					while (pi < p.length && p[pi] == '*') {
						pi++;
					}
					if (pi == p.length) {
						return true;
					}
					starP = pi;
					starS = si;
					continue;
				}
				int next = token(p, pi, s[si]);
				if (next >= 0) {
					pi = next;
					si++;
					continue;
				}
			}
			if (starP < 0) {
				return false;
			}
			pi = starP;
			si = ++starS;
		}
		while (pi < p.length && p[pi] == '*') {
			pi++;
		}
		return pi == p.length;
	}

	/** Whether the token at {@code pi} (not a {@code *}) matches byte {@code b}: the next token's index, or -1. */
	private static int token(byte[] p, int pi, byte b) {
		byte c = p[pi];
		if (c == '?') {
			return pi + 1;
		}
		if (c == '\\') {
			return (p[pi + 1] == b) ? pi + 2 : -1;
		}
		if (c != '[') {
			return (c == b) ? pi + 1 : -1;
		}
		int end = classEnd(p, pi);
		int i = pi + 1;
		boolean negated = p[i] == '^';
		if (negated) {
			i++;
		}
		boolean found = false;
		int value = b & 0xff;
		while (i < end) {
			if (p[i] == '\\') {
				found |= (p[i + 1] & 0xff) == value;
				i += 2;
			}
			else if (i + 2 < end && p[i + 1] == '-') {
				int low = p[i] & 0xff;
				int high = p[i + 2] & 0xff;
				if (low > high) {
					int swap = low;
					low = high;
					high = swap;
				}
				found |= value >= low && value <= high;
				i += 3;
			}
			else {
				found |= (p[i] & 0xff) == value;
				i++;
			}
		}
		return (found != negated) ? end + 1 : -1;
	}

}
