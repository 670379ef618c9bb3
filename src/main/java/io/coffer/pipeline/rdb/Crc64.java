package io.coffer.pipeline.rdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The CRC-64 that Redis appends to RDB files (Redis' {@code crc64.c}): Jones polynomial
 * 0xad93d23594c935a9, reflected, initial value 0, no final xor. Check value:
 * {@code crc64("123456789") == 0xe9c6d914c4b8d9ca}.
 */
public final class Crc64 {

	private static final long REFLECTED_POLYNOMIAL = Long.reverse(0xad93d23594c935a9L);

	private static final int TABLE_COUNT = 16;

	/**
	 * The sixteen slicing tables one after the other: table k at [k * 256] gives a byte's effect when k
	 * more bytes follow it.
	 */
	private static final long[] TABLES = slicingTables();

	private static final VarHandle LITTLE_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
			ByteOrder.LITTLE_ENDIAN);

	private long crc;

	public void update(byte[] bytes, int offset, int length) {
		long value = this.crc;
		int index = offset;
		int end = offset + length;
		long[] t = TABLES;
		// slicing-by-16: sixteen independent table lookups per 16 bytes instead of a dependent chain per
		// byte; twice slicing-by-8's stride lets the CPU overlap more of the loads
		while (end - index >= 16) {
			long low = value ^ (long) LITTLE_ENDIAN_LONG.get(bytes, index);
			long high = (long) LITTLE_ENDIAN_LONG.get(bytes, index + 8);
			value = t[15 * 256 + (int) (low & 0xff)] ^ t[14 * 256 + (int) ((low >>> 8) & 0xff)]
					^ t[13 * 256 + (int) ((low >>> 16) & 0xff)] ^ t[12 * 256 + (int) ((low >>> 24) & 0xff)]
					^ t[11 * 256 + (int) ((low >>> 32) & 0xff)] ^ t[10 * 256 + (int) ((low >>> 40) & 0xff)]
					^ t[9 * 256 + (int) ((low >>> 48) & 0xff)] ^ t[8 * 256 + (int) (low >>> 56)]
					^ t[7 * 256 + (int) (high & 0xff)] ^ t[6 * 256 + (int) ((high >>> 8) & 0xff)]
					^ t[5 * 256 + (int) ((high >>> 16) & 0xff)] ^ t[4 * 256 + (int) ((high >>> 24) & 0xff)]
					^ t[3 * 256 + (int) ((high >>> 32) & 0xff)] ^ t[2 * 256 + (int) ((high >>> 40) & 0xff)]
					^ t[256 + (int) ((high >>> 48) & 0xff)] ^ t[(int) (high >>> 56)];
			index += 16;
		}
		while (index < end) {
			value = t[(int) ((value ^ bytes[index++]) & 0xff)] ^ (value >>> 8);
		}
		this.crc = value;
	}

	public void update(int b) {
		this.crc = TABLES[(int) ((this.crc ^ b) & 0xff)] ^ (this.crc >>> 8);
	}

	public long getValue() {
		return this.crc;
	}

	public static long of(byte[] bytes) {
		Crc64 crc = new Crc64();
		crc.update(bytes, 0, bytes.length);
		return crc.getValue();
	}

	private static long[] slicingTables() {
		long[] tables = new long[TABLE_COUNT * 256];
		for (int n = 0; n < 256; n++) {
			long value = n;
			for (int bit = 0; bit < 8; bit++) {
				value = ((value & 1) != 0) ? (value >>> 1) ^ REFLECTED_POLYNOMIAL : value >>> 1;
			}
			tables[n] = value;
		}
		for (int n = 0; n < 256; n++) {
			for (int k = 1; k < TABLE_COUNT; k++) {
				long previous = tables[(k - 1) * 256 + n];
				tables[k * 256 + n] = tables[(int) (previous & 0xff)] ^ (previous >>> 8);
			}
		}
		return tables;
	}

}
