package io.coffer.engine;

import java.util.Comparator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An engine and its version: {@code redis} or {@code valkey}, and {@code major.minor.patch} as the
 * program's {@code --version} reports it. Ordered by engine, then by number, so that 7.10.0 comes after
 * 7.2.0.
 * <p>
 * Its text, {@link #toString()}, is what the catalogue records ({@code databases.engine_version},
 * {@code engine_upgrades}): the bare {@code x.y.z} for Redis, as it was before Coffer ran another
 * engine, and {@code valkey x.y.z} for Valkey. {@link #parse} reads both, and {@code redis x.y.z}.
 */
public record EngineVersion(String engine, int major, int minor, int patch) implements Comparable<EngineVersion> {

	public static final String REDIS = "redis";

	public static final String VALKEY = "valkey";

	private static final Pattern FORMAT = Pattern
		.compile("(?:([a-z]+) +)?(0|[1-9]\\d{0,3})\\.(0|[1-9]\\d{0,3})\\.(0|[1-9]\\d{0,3})");

	// what redis-server --version prints: "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 ...",
	// and valkey-server --version: "Valkey server v=8.0.1 sha=..."
	private static final Pattern REPORTED = Pattern.compile("(?i)\\b(redis|valkey) server v=(\\d+\\.\\d+\\.\\d+)\\b");

	private static final Comparator<EngineVersion> ORDER = Comparator.comparing(EngineVersion::engine)
		.thenComparing(EngineVersion::compareNumber);

	public EngineVersion {
		if (!REDIS.equals(engine) && !VALKEY.equals(engine)) {
			throw new IllegalArgumentException("'" + engine + "' is not an engine: Coffer runs redis and valkey");
		}
	}

	/** A Redis version. */
	public EngineVersion(int major, int minor, int patch) {
		this(REDIS, major, minor, patch);
	}

	/**
	 * Reads {@code x.y.z} (Redis), {@code redis x.y.z} or {@code valkey x.y.z}.
	 * @throws IllegalArgumentException with a sentence for anything else
	 */
	public static EngineVersion parse(String text) {
		Matcher matcher = (text != null) ? FORMAT.matcher(text.strip().toLowerCase(Locale.ROOT)) : null;
		if (matcher == null || !matcher.matches()) {
			throw new IllegalArgumentException("'" + text + "' is not a version: write it major.minor.patch, like 7.2.4");
		}
		String engine = (matcher.group(1) != null) ? matcher.group(1) : REDIS;
		return new EngineVersion(engine, Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)),
				Integer.parseInt(matcher.group(4)));
	}

	/**
	 * The version {@code number} ({@code x.y.z}) of {@code engine} ({@code redis} when null).
	 * @throws IllegalArgumentException with a sentence for an unknown engine or a number that is not x.y.z
	 */
	public static EngineVersion of(String engine, String number) {
		String name = (engine != null) ? engine.strip().toLowerCase(Locale.ROOT) : REDIS;
		if (!REDIS.equals(name) && !VALKEY.equals(name)) {
			throw new IllegalArgumentException("'" + engine + "' is not an engine: Coffer runs redis and valkey");
		}
		EngineVersion version = parse(number);
		if (!REDIS.equals(version.engine)) {
			throw new IllegalArgumentException("'" + number + "' is not a version: write it major.minor.patch, like 7.2.4");
		}
		return new EngineVersion(name, version.major, version.minor, version.patch);
	}

	/** The engine and version in the output of the program's {@code --version}, or {@code null} when there is none. */
	static EngineVersion fromVersionOutput(String output) {
		Matcher matcher = REPORTED.matcher(output);
		return matcher.find() ? of(matcher.group(1), matcher.group(2)) : null;
	}

	/**
	 * The engine and version a node reports in {@code INFO server}: a Valkey node reports a Redis version
	 * for the clients that look at it ({@code redis_version:7.2.4}) and its own as {@code valkey_version}.
	 * @return null when the answer names no version
	 */
	public static EngineVersion fromInfo(java.util.Map<String, String> server) {
		try {
			if (server.get("valkey_version") != null) {
				return of(VALKEY, server.get("valkey_version"));
			}
			return (server.get("redis_version") != null) ? of(REDIS, server.get("redis_version")) : null;
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/** {@code x.y.z}, without the engine. */
	public String number() {
		return this.major + "." + this.minor + "." + this.patch;
	}

	/** How a person names it: "Redis 7.0.15", "Valkey 8.0.1". */
	public String label() {
		return (REDIS.equals(this.engine) ? "Redis " : "Valkey ") + number();
	}

	/**
	 * The RDB format version this engine writes (each project's {@code rdb.h}, {@code RDB_VERSION}): Redis 7.0
	 * writes 10, 7.2 11, 7.4 to 8.4 12 and 8.6 13; Valkey 7.2 and 8.x write 11, Valkey 9 80 (behind its own
	 * {@code VALKEY} magic).
	 */
	public int rdbVersionWritten() {
		if (VALKEY.equals(this.engine)) {
			return (this.major >= 9) ? 80 : 11;
		}
		if (this.major >= 8) {
			// Redis 8.0 to 8.4 keep 7.4's RDB 12; 8.6 is the first to write 13 (redis/redis rdb.h)
			return (this.major > 8 || this.minor >= 6) ? 13 : 12;
		}
		if (this.major == 7) {
			return (this.minor >= 4) ? 12 : (this.minor >= 2) ? 11 : 10;
		}
		return (this.major >= 5) ? 9 : (this.major == 4) ? 8 : 7;
	}

	/**
	 * Whether this engine loads a dump of that RDB version: every one up to its own (Redis and Valkey load the
	 * older formats); Valkey 9 reads 80 and the formats up to 11 it shares with Redis, not Redis' 12 and 13.
	 */
	public boolean readsRdb(int rdbVersion) {
		int written = rdbVersionWritten();
		if (VALKEY.equals(this.engine) && written >= 80) {
			return rdbVersion <= 11 || (rdbVersion >= 80 && rdbVersion <= written);
		}
		return rdbVersion >= 1 && rdbVersion <= written;
	}

	/** Whether the two are the same engine and share major and minor: patch releases of one minor keep its data formats. */
	public boolean sameMinor(EngineVersion other) {
		return this.engine.equals(other.engine) && this.major == other.major && this.minor == other.minor;
	}

	/** Whether the number is higher, whatever the engines. */
	public boolean isNewerThan(EngineVersion other) {
		return compareNumber(other) > 0;
	}

	public boolean sameEngine(EngineVersion other) {
		return this.engine.equals(other.engine);
	}

	private int compareNumber(EngineVersion other) {
		int major = Integer.compare(this.major, other.major);
		if (major != 0) {
			return major;
		}
		int minor = Integer.compare(this.minor, other.minor);
		return (minor != 0) ? minor : Integer.compare(this.patch, other.patch);
	}

	@Override
	public int compareTo(EngineVersion other) {
		return ORDER.compare(this, other);
	}

	@Override
	public String toString() {
		return REDIS.equals(this.engine) ? number() : this.engine + " " + number();
	}

}
