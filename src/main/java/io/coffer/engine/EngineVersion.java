package io.coffer.engine;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis engine version, {@code major.minor.patch} as {@code redis-server --version} reports it.
 * Ordered by number, so that 7.10.0 comes after 7.2.0.
 */
public record EngineVersion(int major, int minor, int patch) implements Comparable<EngineVersion> {

	private static final Pattern FORMAT = Pattern.compile("(0|[1-9]\\d{0,3})\\.(0|[1-9]\\d{0,3})\\.(0|[1-9]\\d{0,3})");

	// what redis-server --version prints: "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 ..."
	private static final Pattern REPORTED = Pattern.compile("\\bv=(\\d+\\.\\d+\\.\\d+)\\b");

	private static final Comparator<EngineVersion> ORDER = Comparator.comparingInt(EngineVersion::major)
		.thenComparingInt(EngineVersion::minor)
		.thenComparingInt(EngineVersion::patch);

	/**
	 * Reads {@code x.y.z}.
	 * @throws IllegalArgumentException with a sentence for anything else
	 */
	public static EngineVersion parse(String text) {
		Matcher matcher = (text != null) ? FORMAT.matcher(text.strip()) : null;
		if (matcher == null || !matcher.matches()) {
			throw new IllegalArgumentException("'" + text + "' is not a version: write it major.minor.patch, like 7.2.4");
		}
		return new EngineVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
				Integer.parseInt(matcher.group(3)));
	}

	/** The version in the output of {@code redis-server --version}, or {@code null} when there is none. */
	static EngineVersion fromVersionOutput(String output) {
		Matcher matcher = REPORTED.matcher(output);
		return matcher.find() ? parse(matcher.group(1)) : null;
	}

	/** Whether the two share major and minor: patch releases of one minor keep its data formats. */
	public boolean sameMinor(EngineVersion other) {
		return this.major == other.major && this.minor == other.minor;
	}

	public boolean isNewerThan(EngineVersion other) {
		return compareTo(other) > 0;
	}

	@Override
	public int compareTo(EngineVersion other) {
		return ORDER.compare(this, other);
	}

	@Override
	public String toString() {
		return this.major + "." + this.minor + "." + this.patch;
	}

}
