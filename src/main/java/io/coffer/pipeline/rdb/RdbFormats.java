package io.coffer.pipeline.rdb;

/**
 * Which value types and opcodes each RDB version can hold, from the {@code rdb.h} of redis/redis and
 * valkey-io/valkey: a dump holding one its version cannot contain is refused rather than read with the
 * meaning another version gives that number.
 */
final class RdbFormats {

	private RdbFormats() {
	}

	/**
	 * The highest value type of the version: 21 ({@code STREAM_LISTPACKS_3}) up to RDB 11 (Redis 7.2, Valkey 7.2
	 * and 8.x); 25 ({@code HASH_LISTPACK_EX}) in RDB 12 (Redis 7.4 to 8.4); RDB 13 (Redis 8.6) adds
	 * {@code STREAM_LISTPACKS_4} (26), which Coffer does not read yet, so it stays at 25; Valkey 9's RDB 80 has
	 * its own 22 ({@code HASH_2}) and no Redis type beyond 21.
	 */
	static int newestValueType(int rdbVersion) {
		if (rdbVersion >= RdbHeader.VALKEY_9) {
			return 22;
		}
		return (rdbVersion >= 12) ? 25 : 21;
	}

	/** {@code RDB_OPCODE_SLOT_INFO} (0xf4): Redis 7.4's RDB 12 on, and Valkey 9, which skips it. */
	static boolean hasSlotInfo(int rdbVersion) {
		return rdbVersion >= 12;
	}

	/** {@code RDB_OPCODE_KEY_META} (0xf3): Redis 8.6's RDB 13; Valkey 9's 0xf3 is its slot-import state. */
	static boolean hasKeyMetadata(int rdbVersion) {
		return rdbVersion == 13;
	}

}
