package io.coffer.pipeline.rdb;

import java.io.IOException;

/**
 * Told of every key while {@link RdbParser} walks a dump, and handed the raw bytes of the values it
 * wants exactly as the dump holds them: the value's type byte, then its encoding. That is the body of a
 * {@code DUMP} payload and of a key in another dump, so a selected key is restored or copied without its
 * value being decoded or serialized again. The bytes arrive in pieces as the parser reads them: a value of
 * any size passes through without being held by the parser.
 */
public interface RdbKeyVisitor {

	/** The dump's RDB version, once its header was read, before any key. */
	default void header(int rdbVersion) throws IOException {
	}

	/**
	 * A key, before its value is read.
	 * @param db the logical database it belongs to
	 * @param key the key's bytes (integer-encoded and LZF-compressed keys decoded), the visitor's to keep
	 * @param expiresAtMs its absolute expiry in Unix milliseconds, or -1 when it has none
	 * @param type its value type, as the dump numbers it
	 * @return where the value's raw bytes go, or null when they are not wanted
	 */
	Value key(int db, byte[] key, long expiresAtMs, int type) throws IOException;

	/** Receives one value's raw bytes: its type byte first, then the rest in order. */
	interface Value {

		void write(byte[] bytes, int offset, int length) throws IOException;

		/**
		 * After the value's last byte, once the parser found it well-formed.
		 * @param loaded false for an empty collection, which Redis skips when it loads a dump
		 */
		void end(boolean loaded) throws IOException;

	}

}
