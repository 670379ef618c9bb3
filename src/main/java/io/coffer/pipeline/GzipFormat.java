package io.coffer.pipeline;

/**
 * The gzip members Coffer writes (RFC 1952): no name, no time, and one extra subfield {@code CF}
 * in the standard {@code FEXTRA} field that records the member's deflate size and plain size, as
 * BGZF does. Every gzip reader ignores the subfield; Coffer's reader uses it to inflate a member in
 * one call of a native library, and checks both sizes, the CRC-32 and ISIZE all the same.
 */
final class GzipFormat {

	static final int ID1 = 0x1f;

	static final int ID2 = 0x8b;

	static final int DEFLATE = 8;

	static final int FTEXT = 1;

	static final int FHCRC = 2;

	static final int FEXTRA = 4;

	static final int FNAME = 8;

	static final int FCOMMENT = 16;

	static final int RESERVED_FLAGS = 0xe0;

	static final int SUBFIELD_ID1 = 'C';

	static final int SUBFIELD_ID2 = 'F';

	/** The subfield's data: deflate size and plain size, 32 bits each, little-endian. */
	static final int SUBFIELD_LENGTH = 8;

	private static final int XLEN = 4 + SUBFIELD_LENGTH;

	/** Fixed header (10), XLEN (2), the subfield (4 + 8). */
	static final int HEADER_LENGTH = 10 + 2 + XLEN;

	/** CRC-32 and ISIZE. */
	static final int TRAILER_LENGTH = 8;

	private GzipFormat() {
	}

	/** Writes a member's header, with its sizes, at {@code out[0, HEADER_LENGTH)}. */
	static void writeHeader(byte[] out, int deflatedLength, int plainLength) {
		out[0] = (byte) ID1;
		out[1] = (byte) ID2;
		out[2] = DEFLATE;
		out[3] = FEXTRA;
		// MTIME 0 (none), XFL 0
		for (int i = 4; i < 9; i++) {
			out[i] = 0;
		}
		out[9] = (byte) 0xff; // OS unknown
		out[10] = (byte) XLEN;
		out[11] = 0;
		out[12] = SUBFIELD_ID1;
		out[13] = SUBFIELD_ID2;
		out[14] = SUBFIELD_LENGTH;
		out[15] = 0;
		writeIntLittleEndian(out, 16, deflatedLength);
		writeIntLittleEndian(out, 20, plainLength);
	}

	static void writeTrailer(byte[] out, int offset, int crc32, int plainLength) {
		writeIntLittleEndian(out, offset, crc32);
		writeIntLittleEndian(out, offset + 4, plainLength);
	}

	static void writeIntLittleEndian(byte[] out, int offset, int value) {
		out[offset] = (byte) value;
		out[offset + 1] = (byte) (value >>> 8);
		out[offset + 2] = (byte) (value >>> 16);
		out[offset + 3] = (byte) (value >>> 24);
	}

	static int readIntLittleEndian(byte[] in, int offset) {
		return (in[offset] & 0xff) | (in[offset + 1] & 0xff) << 8 | (in[offset + 2] & 0xff) << 16
				| (in[offset + 3] & 0xff) << 24;
	}

}
