package io.coffer.pipeline.rdb;

import java.nio.charset.StandardCharsets;

/**
 * The first nine bytes of a dump: {@code REDIS} and four digits (Redis, and Valkey up to 8.x, which write
 * RDB 1 to 13), or {@code VALKEY} and three (Valkey 9, which numbers its own formats from 80 on, see
 * valkey-io/valkey's {@code rdb.h}). Only the formats Coffer reads are let through: an unknown magic or
 * version is refused naming it, never guessed at.
 */
final class RdbHeader {

	static final int LENGTH = 9;

	/** The newest RDB version of the {@code REDIS} magic: 13, written by Redis 8.6 (Redis 7.4 to 8.4 write 12). */
	static final int NEWEST_REDIS = 13;

	/** The one {@code VALKEY} format Coffer reads: 80, written by Valkey 9. */
	static final int VALKEY_9 = 80;

	private static final byte[] REDIS = "REDIS".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] VALKEY = "VALKEY".getBytes(StandardCharsets.US_ASCII);

	private RdbHeader() {
	}

	/** Refuses the first bytes of a header as soon as they can start neither magic. */
	static void checkStart(byte[] header, int length) throws InvalidRdbException {
		if (!startsAs(header, length, REDIS) && !startsAs(header, length, VALKEY)) {
			throw new InvalidRdbException(0, "not an RDB file: it does not start with REDIS or VALKEY");
		}
	}

	/**
	 * The RDB version of a whole header.
	 * @param maxRdbVersion the newest version the reader (the target engine) loads
	 * @throws InvalidRdbException for another magic, a version that is not digits, a version Coffer does not
	 * know, or one newer than {@code maxRdbVersion}
	 */
	static int version(byte[] header, int maxRdbVersion) throws InvalidRdbException {
		checkStart(header, LENGTH);
		boolean valkey = startsAs(header, LENGTH, VALKEY);
		int at = valkey ? VALKEY.length : REDIS.length;
		String digits = new String(header, at, LENGTH - at, StandardCharsets.US_ASCII);
		if (!digits.chars().allMatch((c) -> c >= '0' && c <= '9') || Integer.parseInt(digits) < 1) {
			throw new InvalidRdbException(at, "not an RDB file: bad version '" + digits + "'");
		}
		int version = Integer.parseInt(digits);
		if (valkey && version != VALKEY_9) {
			throw new InvalidRdbException(at, "VALKEY RDB version " + version + " is not one Coffer reads (it reads "
					+ "Valkey 9's " + VALKEY_9 + ")");
		}
		if (!valkey && version > NEWEST_REDIS) {
			throw new InvalidRdbException(at, "REDIS RDB version " + version + " is not one Coffer reads (it reads up to "
					+ NEWEST_REDIS + ", written by Redis 8.6)");
		}
		if (version > maxRdbVersion) {
			throw new InvalidRdbException(at, "RDB version " + version + " is newer than this Redis supports (max "
					+ maxRdbVersion + ")");
		}
		return version;
	}

	private static boolean startsAs(byte[] header, int length, byte[] magic) {
		for (int i = 0; i < Math.min(length, magic.length); i++) {
			if (header[i] != magic[i]) {
				return false;
			}
		}
		return true;
	}

}
