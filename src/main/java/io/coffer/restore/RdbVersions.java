package io.coffer.restore;

import io.coffer.engine.EngineVersion;

/**
 * Which RDB versions an engine version can load: each release reads the format it writes and every older
 * one, never a newer one (see {@link EngineVersion#readsRdb}).
 */
public final class RdbVersions {

	private RdbVersions() {
	}

	/**
	 * The newest RDB version that the engine (like {@code 7.0.15} for Redis, or {@code valkey 8.0.1}) loads:
	 * Redis 2.6 and 2.8 read 6, 3.x 7, 4.0 8, 5.0 to 6.2 9, 7.0 10, 7.2 11, 7.4 to 8.4 12, 8.6 13; Valkey 7.2 and
	 * 8.x 11, Valkey 9 80.
	 */
	public static int maxLoadable(String engineVersion) {
		EngineVersion engine;
		try {
			engine = EngineVersion.parse(engineVersion);
		}
		catch (IllegalArgumentException ex) {
			// a version Redis reports that is not x.y.z (a build of its own): judged by its major and minor
			String[] parts = engineVersion.split("\\.");
			engine = new EngineVersion(Integer.parseInt(parts[0]), (parts.length > 1) ? Integer.parseInt(parts[1]) : 0, 0);
		}
		if (EngineVersion.REDIS.equals(engine.engine()) && engine.major() < 3) {
			return 6;
		}
		return engine.rdbVersionWritten();
	}

	/**
	 * Whether the engine loads a dump of that RDB version: not only up to {@link #maxLoadable}, since Valkey 9
	 * reads its own 80 and the formats up to 11, not Redis' 12 and 13.
	 */
	public static boolean loads(String engineVersion, int rdbVersion) {
		try {
			return EngineVersion.parse(engineVersion).readsRdb(rdbVersion);
		}
		catch (IllegalArgumentException ex) {
			return rdbVersion <= maxLoadable(engineVersion);
		}
	}

	/** The engine as a person names it: "Redis 7.0.15", "Valkey 8.0.1". */
	static String label(String engineVersion) {
		try {
			return EngineVersion.parse(engineVersion).label();
		}
		catch (IllegalArgumentException ex) {
			return "Redis " + engineVersion;
		}
	}

}
