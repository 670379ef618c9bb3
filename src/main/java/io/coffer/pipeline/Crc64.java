package io.coffer.pipeline;

/**
 * The CRC-64 that Redis appends to RDB files (Redis' {@code crc64.c}): Jones polynomial
 * 0xad93d23594c935a9, reflected, initial value 0, no final xor. Check value:
 * {@code crc64("123456789") == 0xe9c6d914c4b8d9ca}.
 */
public final class Crc64 {

	private static final long REFLECTED_POLYNOMIAL = Long.reverse(0xad93d23594c935a9L);

	private static final long[][] TABLES = slicingTables();

	private long crc;

	public void update(byte[] bytes, int offset, int length) {
		long value = this.crc;
		int index = offset;
		int end = offset + length;
		// slicing-by-8: eight table lookups per 8 bytes instead of a loop per byte
		while (end - index >= 8) {
			value ^= littleEndianLong(bytes, index);
			value = TABLES[7][(int) (value & 0xff)] ^ TABLES[6][(int) ((value >>> 8) & 0xff)]
					^ TABLES[5][(int) ((value >>> 16) & 0xff)] ^ TABLES[4][(int) ((value >>> 24) & 0xff)]
					^ TABLES[3][(int) ((value >>> 32) & 0xff)] ^ TABLES[2][(int) ((value >>> 40) & 0xff)]
					^ TABLES[1][(int) ((value >>> 48) & 0xff)] ^ TABLES[0][(int) (value >>> 56)];
			index += 8;
		}
		while (index < end) {
			value = TABLES[0][(int) ((value ^ bytes[index++]) & 0xff)] ^ (value >>> 8);
		}
		this.crc = value;
	}

	public void update(int b) {
		this.crc = TABLES[0][(int) ((this.crc ^ b) & 0xff)] ^ (this.crc >>> 8);
	}

	public long getValue() {
		return this.crc;
	}

	public static long of(byte[] bytes) {
		Crc64 crc = new Crc64();
		crc.update(bytes, 0, bytes.length);
		return crc.getValue();
	}

	private static long littleEndianLong(byte[] bytes, int index) {
		long value = 0;
		for (int i = 7; i >= 0; i--) {
			value = (value << 8) | (bytes[index + i] & 0xff);
		}
		return value;
	}

	private static long[][] slicingTables() {
		long[][] tables = new long[8][256];
		for (int n = 0; n < 256; n++) {
			long value = n;
			for (int bit = 0; bit < 8; bit++) {
				value = ((value & 1) != 0) ? (value >>> 1) ^ REFLECTED_POLYNOMIAL : value >>> 1;
			}
			tables[0][n] = value;
		}
		for (int n = 0; n < 256; n++) {
			for (int k = 1; k < 8; k++) {
				long previous = tables[k - 1][n];
				tables[k][n] = tables[0][(int) (previous & 0xff)] ^ (previous >>> 8);
			}
		}
		return tables;
	}

}
