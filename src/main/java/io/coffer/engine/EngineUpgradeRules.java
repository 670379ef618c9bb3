package io.coffer.engine;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * Which engine versions a database may move to, the platform's way: never down; within its major, any
 * later version; to the next major only from the latest minor of its own major that the catalogue
 * offers, and never two majors at once. Every refusal says which version to go to first when there is
 * one. The patch does not count for the latest-minor rule: 7.2.0 may go to 8.0.0 even when 7.2.4 is
 * offered, since patch releases of one minor share its data formats.
 * <p>
 * The "next major" is the next one the catalogue offers: a major it never offered is not a step.
 * <p>
 * From one engine to another (Redis to Valkey), what counts is the data: the target must load the RDB
 * format the current engine writes, since the nodes that moved first replicate from, and load the dumps
 * of, the ones still on it; the other way (Valkey 8 writes RDB 11, which Redis 7.0 cannot read) is refused.
 */
public final class EngineUpgradeRules {

	private final TreeSet<EngineVersion> offered;

	public EngineUpgradeRules(Collection<EngineVersion> offered) {
		this.offered = new TreeSet<>(offered);
	}

	/**
	 * Why {@code current} cannot go to {@code target}, or empty when it may.
	 * @param current the version the database runs (it need not be offered any more)
	 */
	public Optional<Refusal> refusal(EngineVersion current, EngineVersion target) {
		if (!this.offered.contains(target)) {
			return Optional.of(new Refusal(target + " is not offered; the versions offered are " + list(this.offered), null));
		}
		if (target.equals(current)) {
			return Optional.of(new Refusal("the database already runs " + current, null));
		}
		if (!target.sameEngine(current)) {
			int format = current.rdbVersionWritten();
			if (!target.readsRdb(format)) {
				return Optional.of(new Refusal(current.label() + " writes RDB " + format + ", which " + target.label()
						+ " cannot read (it reads up to RDB " + target.rdbVersionWritten() + "): the data could not move back",
						null));
			}
			return Optional.empty();
		}
		if (current.isNewerThan(target)) {
			return Optional.of(new Refusal("the database runs " + current + " and " + target
					+ " is older: an engine is never downgraded", null));
		}
		if (target.major() == current.major()) {
			return Optional.empty();
		}
		EngineVersion latestOfMajor = latestOf(current.engine(), current.major()).orElse(current);
		if (latestOfMajor.isNewerThan(current) && !latestOfMajor.sameMinor(current)) {
			return Optional.of(new Refusal("to move to " + target.major() + ".x, the database must first run the latest "
					+ current.major() + ".x: upgrade to " + latestOfMajor + " first", latestOfMajor));
		}
		// the target's major is offered and higher
		int nextMajor = nextMajor(current.engine(), current.major()).orElseThrow();
		if (target.major() > nextMajor) {
			EngineVersion step = latestOf(current.engine(), nextMajor).orElseThrow();
			return Optional.of(new Refusal("one major version at a time: upgrade to " + step + " first, then to "
					+ target, step));
		}
		return Optional.empty();
	}

	/** The versions {@code current} may move to now, oldest first. */
	public List<EngineVersion> available(EngineVersion current) {
		return this.offered.stream().filter((version) -> refusal(current, version).isEmpty()).toList();
	}

	/**
	 * The newer versions offered that {@code current} may not move to yet, each with the reason (which
	 * names the version to go to first).
	 */
	public List<Blocked> blocked(EngineVersion current) {
		return this.offered.stream()
			.filter((version) -> version.sameEngine(current) && version.isNewerThan(current))
			.flatMap((version) -> refusal(current, version).map((refusal) -> new Blocked(version, refusal)).stream())
			.toList();
	}

	/** Whether no offered version of its engine is newer than {@code current}. */
	public boolean isLatest(EngineVersion current) {
		return this.offered.stream().noneMatch((version) -> version.sameEngine(current) && version.isNewerThan(current));
	}

	public Optional<EngineVersion> latestOf(String engine, int major) {
		return this.offered.stream()
			.filter((version) -> version.engine().equals(engine) && version.major() == major)
			.max(Comparator.naturalOrder());
	}

	private OptionalInt nextMajor(String engine, int major) {
		return this.offered.stream()
			.filter((version) -> version.engine().equals(engine))
			.mapToInt(EngineVersion::major)
			.filter((other) -> other > major)
			.min();
	}

	private static String list(Collection<EngineVersion> versions) {
		return versions.isEmpty() ? "none" : String.join(", ", versions.stream().map(EngineVersion::toString).toList());
	}

	/**
	 * An upgrade that may not be made.
	 *
	 * @param message the sentence a user is shown
	 * @param first the version to upgrade to first, when there is a way there
	 */
	public record Refusal(String message, EngineVersion first) {
	}

	/** A newer version that is not available yet, and why. */
	public record Blocked(EngineVersion version, Refusal refusal) {
	}

}
