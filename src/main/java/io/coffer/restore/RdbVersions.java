package io.coffer.restore;

/**
 * Which RDB versions a Redis version can load: each release reads the format it writes and every older
 * one, never a newer one.
 */
final class RdbVersions {

	private RdbVersions() {
	}

	/**
	 * The newest RDB version that Redis {@code redisVersion} (like {@code 7.0.15}) loads: 2.6 and 2.8
	 * read 6, 3.x 7, 4.0 8, 5.0 to 6.2 9, 7.0 10, 7.2 11, 7.4 and later 12.
	 */
	static int maxLoadable(String redisVersion) {
		String[] parts = redisVersion.split("\\.");
		int major = Integer.parseInt(parts[0]);
		int minor = (parts.length > 1) ? Integer.parseInt(parts[1]) : 0;
		if (major < 3) {
			return 6;
		}
		if (major == 3) {
			return 7;
		}
		if (major == 4) {
			return 8;
		}
		if (major < 7) {
			return 9;
		}
		if (major == 7 && minor < 2) {
			return 10;
		}
		if (major == 7 && minor < 4) {
			return 11;
		}
		return 12;
	}

}
