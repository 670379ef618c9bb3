package io.coffer.restore;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import io.coffer.pipeline.rdb.RdbKeyVisitor;

/**
 * The keys of a dump that a restore of selected keys takes: those matching its patterns that have not
 * expired by the cut-off, with what was found of each logical database. What is done with each selected
 * key's value is the subclass' to say.
 */
abstract class SelectedKeys implements RdbKeyVisitor {

	private final KeyPatterns patterns;

	private final long cutoffMs;

	private int rdbVersion = -1;

	/** db → {matching keys, of which expired, of which an empty collection Redis would skip}. */
	private final Map<Integer, long[]> found = new TreeMap<>();

	/**
	 * @param cutoffMs a key whose absolute expiry is at or before it (Unix milliseconds) is left out, as Redis
	 * would drop it
	 */
	SelectedKeys(KeyPatterns patterns, long cutoffMs) {
		this.patterns = patterns;
		this.cutoffMs = cutoffMs;
	}

	@Override
	public void header(int rdbVersion) throws IOException {
		this.rdbVersion = rdbVersion;
		started(rdbVersion);
	}

	@Override
	public final Value key(int db, byte[] key, long expiresAtMs, int type) throws IOException {
		if (!this.patterns.matches(key)) {
			return null;
		}
		long[] counts = this.found.computeIfAbsent(db, (k) -> new long[3]);
		counts[0]++;
		if (expiresAtMs >= 0 && expiresAtMs <= this.cutoffMs) {
			counts[1]++;
			return null;
		}
		Value value = selected(db, key, expiresAtMs, type);
		return new Value() {

			@Override
			public void write(byte[] bytes, int offset, int length) throws IOException {
				value.write(bytes, offset, length);
			}

			@Override
			public void end(boolean loaded) throws IOException {
				if (!loaded) {
					counts[2]++;
				}
				value.end(loaded);
			}

		};
	}

	/** Told the dump's RDB version before any key. */
	void started(int rdbVersion) throws IOException {
	}

	/** A matching key that has not expired: where its value's raw bytes go. */
	abstract Value selected(int db, byte[] key, long expiresAtMs, int type) throws IOException;

	/** The dump's RDB version, once its header was read. */
	int rdbVersion() {
		return this.rdbVersion;
	}

	/** Per logical database ({@code db0}): the keys matching, those left out as expired, and empty ones. */
	Map<String, Map<String, Long>> found() {
		Map<String, Map<String, Long>> perDb = new TreeMap<>();
		this.found.forEach((db, counts) -> {
			Map<String, Long> figures = new TreeMap<>();
			figures.put("matching", counts[0]);
			figures.put("expired", counts[1]);
			if (counts[2] > 0) {
				figures.put("empty", counts[2]);
			}
			perDb.put("db" + db, figures);
		});
		return perDb;
	}

}
