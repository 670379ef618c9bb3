package io.coffer.pipeline;

import java.util.zip.CRC32;

/**
 * One gzip member holding its bytes uncompressed (a single stored deflate block), in Coffer's member
 * format ({@link GzipFormat}, with its sizes subfield): its length depends only on the number of bytes
 * it holds, never on their content. What lets a diskless backup leave room for the tar header of a dump
 * whose length is known only at its end, and write the header there last.
 */
public final class StoredGzipMember {

	/** A stored block's header: BFINAL and BTYPE in one byte, then LEN and NLEN. */
	private static final int STORED_BLOCK_HEADER = 1 + 2 + 2;

	/** At most what one stored block holds. */
	public static final int MAX_PLAIN_LENGTH = 65_535;

	private StoredGzipMember() {
	}

	/** The member's length for {@code plainLength} bytes. */
	public static int length(int plainLength) {
		return GzipFormat.HEADER_LENGTH + STORED_BLOCK_HEADER + plainLength + GzipFormat.TRAILER_LENGTH;
	}

	/** The member holding {@code plain}, of {@link #length(int) length(plain.length)} bytes. */
	public static byte[] of(byte[] plain) {
		if (plain.length > MAX_PLAIN_LENGTH) {
			throw new IllegalArgumentException("a stored member holds at most " + MAX_PLAIN_LENGTH + " bytes");
		}
		byte[] member = new byte[length(plain.length)];
		GzipFormat.writeHeader(member, STORED_BLOCK_HEADER + plain.length, plain.length);
		int position = GzipFormat.HEADER_LENGTH;
		member[position++] = 1; // BFINAL, BTYPE 00: stored
		member[position++] = (byte) plain.length;
		member[position++] = (byte) (plain.length >>> 8);
		member[position++] = (byte) ~plain.length;
		member[position++] = (byte) (~plain.length >>> 8);
		System.arraycopy(plain, 0, member, position, plain.length);
		position += plain.length;
		CRC32 crc = new CRC32();
		crc.update(plain);
		GzipFormat.writeTrailer(member, position, (int) crc.getValue(), plain.length);
		return member;
	}

}
