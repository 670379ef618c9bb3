package io.coffer.pipeline;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The compact encodings Redis stores inside an RDB string — listpack, ziplist, intset, zipmap, and
 * the stream's listpack layout — walked element by element with every length checked against the
 * blob, as Redis' deep {@code sanitize-dump-payload} does ({@code lpValidateIntegrity},
 * {@code ziplistValidateIntegrity}, {@code intsetValidateIntegrity}, {@code zipmapValidateIntegrity},
 * {@code streamValidateListpackIntegrity}), including duplicate members where Redis refuses them.
 * Each validator returns the number of elements (so that empty values can be told apart) or throws
 * {@link Malformed} with what was wrong.
 */
final class RdbEncodings {

	private RdbEncodings() {
	}

	/** What is wrong inside a blob; the parser adds where the blob is. */
	static final class Malformed extends Exception {

		Malformed(String message) {
			super(message, null, false, false);
		}

	}

	// ---------------------------------------------------------------- listpack

	/** Walks a listpack's entries, each validated before it is exposed. */
	static final class ListpackCursor {

		private static final int HEADER = 6;

		private final byte[] lp;

		private final int size;

		private int next = HEADER;

		private int index = -1;

		private final int declaredCount;

		/** current entry: an integer, or a string at {@link #stringOffset} of {@link #stringLength} */
		boolean isInteger;

		long integer;

		int stringOffset;

		int stringLength;

		ListpackCursor(byte[] lp, int size) throws Malformed {
			this.lp = lp;
			this.size = size;
			if (size < HEADER + 1) {
				throw new Malformed("listpack of " + size + " bytes is shorter than its header");
			}
			long total = le(lp, 0, 4);
			if (total != size) {
				throw new Malformed("listpack header says " + total + " bytes where the string holds " + size);
			}
			if ((lp[size - 1] & 0xff) != 0xff) {
				throw new Malformed("listpack does not end with its terminator");
			}
			this.declaredCount = (int) le(lp, 4, 2);
		}

		/** Moves to the next entry; false after the last one, once the count and the end were checked. */
		boolean next() throws Malformed {
			int p = this.next;
			if (p > this.size - 1) {
				throw new Malformed("listpack entry " + (this.index + 1) + " starts beyond its end");
			}
			int b = this.lp[p] & 0xff;
			if (b == 0xff) {
				if (p != this.size - 1) {
					throw new Malformed("listpack terminator at byte " + p + " is not its last byte");
				}
				int count = this.index + 1;
				if (this.declaredCount != 0xffff && this.declaredCount != count) {
					throw new Malformed("listpack header counts " + this.declaredCount + " entries, it holds " + count);
				}
				return false;
			}
			this.index++;
			long encodedLength;
			if ((b & 0x80) == 0) {
				this.isInteger = true;
				this.integer = b;
				encodedLength = 1;
			}
			else if ((b & 0xc0) == 0x80) {
				this.isInteger = false;
				this.stringOffset = p + 1;
				this.stringLength = b & 0x3f;
				encodedLength = 1L + this.stringLength;
			}
			else if ((b & 0xe0) == 0xc0) {
				need(p, 2);
				this.isInteger = true;
				long raw = ((b & 0x1f) << 8) | (this.lp[p + 1] & 0xff);
				this.integer = (raw << 51) >> 51;
				encodedLength = 2;
			}
			else if ((b & 0xf0) == 0xe0) {
				need(p, 2);
				this.isInteger = false;
				this.stringOffset = p + 2;
				this.stringLength = ((b & 0x0f) << 8) | (this.lp[p + 1] & 0xff);
				encodedLength = 2L + this.stringLength;
			}
			else {
				switch (b) {
					case 0xf0 -> {
						need(p, 5);
						long length = le(this.lp, p + 1, 4);
						if (length > this.size) {
							throw new Malformed("listpack entry " + this.index + " is a string of " + length
									+ " bytes, more than the listpack holds");
						}
						this.isInteger = false;
						this.stringOffset = p + 5;
						this.stringLength = (int) length;
						encodedLength = 5L + length;
					}
					case 0xf1, 0xf2, 0xf3, 0xf4 -> {
						int bytes = (b == 0xf1) ? 2 : (b == 0xf2) ? 3 : (b == 0xf3) ? 4 : 8;
						need(p, 1 + bytes);
						int shift = 64 - 8 * bytes;
						this.isInteger = true;
						this.integer = (le(this.lp, p + 1, bytes) << shift) >> shift;
						encodedLength = 1L + bytes;
					}
					default -> throw new Malformed(String.format("listpack entry %d has the unknown encoding 0x%02x",
							this.index, b));
				}
			}
			int backlenSize = backlenSize(encodedLength);
			long end = p + encodedLength + backlenSize;
			if (end > this.size - 1) {
				throw new Malformed("listpack entry " + this.index + " of " + encodedLength
						+ " bytes runs past the end of the listpack");
			}
			if (decodeBacklen((int) end - 1) != encodedLength) {
				throw new Malformed("listpack entry " + this.index + " has a back-length that does not match its size");
			}
			this.next = (int) end;
			return true;
		}

		/** The current entry as a value that compares like Redis compares members. */
		ByteBuffer member() {
			if (this.isInteger) {
				return ByteBuffer.wrap(Long.toString(this.integer).getBytes(StandardCharsets.US_ASCII));
			}
			return ByteBuffer.wrap(this.lp, this.stringOffset, this.stringLength);
		}

		/** The current entry as an integer, as Redis reads stream fields: integer-encoded or a decimal string. */
		long integerValue(String what) throws Malformed {
			if (this.isInteger) {
				return this.integer;
			}
			String text = new String(this.lp, this.stringOffset, Math.min(this.stringLength, 21), StandardCharsets.US_ASCII);
			try {
				if (this.stringLength <= 20) {
					return Long.parseLong(text);
				}
			}
			catch (NumberFormatException ex) {
				// refused below
			}
			throw new Malformed("stream listpack entry " + this.index + " (" + what + ") is not an integer");
		}

		int index() {
			return this.index;
		}

		private void need(int p, int bytes) throws Malformed {
			if (p + bytes > this.size - 1) {
				throw new Malformed("listpack entry " + (this.index) + " runs past the end of the listpack");
			}
		}

		private long decodeBacklen(int last) {
			long value = 0;
			int shift = 0;
			int p = last;
			while (true) {
				int b = this.lp[p] & 0xff;
				value |= (long) (b & 0x7f) << shift;
				if ((b & 0x80) == 0) {
					return value;
				}
				shift += 7;
				p--;
				if (shift > 28 || p < HEADER) {
					return -1;
				}
			}
		}

		private static int backlenSize(long length) {
			if (length <= 127) {
				return 1;
			}
			if (length < 16383) {
				return 2;
			}
			if (length < 2097151) {
				return 3;
			}
			if (length < 268435455) {
				return 4;
			}
			return 5;
		}

	}

	/**
	 * Validates a listpack made of tuples of {@code tupleSize} entries whose first entry is unique
	 * (a set's member, a hash's field, a sorted set's member).
	 * @return the number of tuples
	 */
	static long listpackTuples(byte[] lp, int size, int tupleSize, boolean unique) throws Malformed {
		ListpackCursor cursor = new ListpackCursor(lp, size);
		UniqueMembers seen = unique ? new UniqueMembers(lp) : null;
		long entries = 0;
		while (cursor.next()) {
			if (seen != null && entries % tupleSize == 0 && !seen.add(cursor)) {
				throw new Malformed("listpack entry " + cursor.index() + " repeats a member");
			}
			entries++;
		}
		if (entries % tupleSize != 0) {
			throw new Malformed("listpack holds " + entries + " entries, not a multiple of " + tupleSize);
		}
		return entries / tupleSize;
	}

	/**
	 * The members seen so far in one encoded value: compared pairwise while there are few (most
	 * listpacks), hashed beyond, so that small values cost no allocation per member.
	 */
	private static final class UniqueMembers {

		private static final int PAIRWISE = 24;

		private final byte[] bytes;

		private final int[] offsets = new int[PAIRWISE];

		private final int[] lengths = new int[PAIRWISE];

		private int count;

		private Set<ByteBuffer> hashed;

		UniqueMembers(byte[] bytes) {
			this.bytes = bytes;
		}

		/** @return false if the cursor's entry was seen already */
		boolean add(ListpackCursor cursor) {
			if (this.hashed == null && !cursor.isInteger && this.count < PAIRWISE) {
				int offset = cursor.stringOffset;
				int length = cursor.stringLength;
				for (int i = 0; i < this.count; i++) {
					if (this.lengths[i] == length && Arrays.equals(this.bytes, this.offsets[i], this.offsets[i] + length,
							this.bytes, offset, offset + length)) {
						return false;
					}
				}
				this.offsets[this.count] = offset;
				this.lengths[this.count] = length;
				this.count++;
				return true;
			}
			if (this.hashed == null) {
				this.hashed = new HashSet<>(64);
				for (int i = 0; i < this.count; i++) {
					this.hashed.add(ByteBuffer.wrap(this.bytes, this.offsets[i], this.lengths[i]));
				}
			}
			return this.hashed.add(cursor.member());
		}

	}

	/**
	 * Validates a stream node's listpack as Redis' {@code streamValidateListpackIntegrity} does: the
	 * master entry, then each entry's flags, ID, fields and values and its back-count.
	 * @return the number of live entries the node declares
	 */
	static long streamListpack(byte[] lp, int size) throws Malformed {
		ListpackCursor cursor = new ListpackCursor(lp, size);
		long count = nextInteger(cursor, "entry count");
		long deleted = nextInteger(cursor, "deleted count");
		long masterFields = nextInteger(cursor, "master field count");
		if (count < 0 || deleted < 0 || masterFields < 0) {
			throw new Malformed("stream listpack master entry has a negative count");
		}
		for (long i = 0; i < masterFields; i++) {
			nextEntry(cursor, "master field");
		}
		if (nextInteger(cursor, "master terminator") != 0) {
			throw new Malformed("stream listpack master entry does not end with 0");
		}
		long entries = count + deleted;
		if (entries < 0) {
			throw new Malformed("stream listpack counts too many entries");
		}
		for (long e = 0; e < entries; e++) {
			long flags = nextInteger(cursor, "flags");
			nextInteger(cursor, "ID milliseconds");
			nextInteger(cursor, "ID sequence");
			long elements;
			if ((flags & 2) != 0) {
				// same fields as the master entry: values only
				for (long i = 0; i < masterFields; i++) {
					nextEntry(cursor, "value");
				}
				elements = masterFields + 3;
			}
			else {
				long fields = nextInteger(cursor, "field count");
				if (fields < 0 || fields > size) {
					throw new Malformed("stream listpack entry declares " + fields + " fields");
				}
				for (long i = 0; i < fields * 2; i++) {
					nextEntry(cursor, "field or value");
				}
				elements = fields * 2 + 4;
			}
			if (nextInteger(cursor, "back-count") != elements) {
				throw new Malformed("stream listpack entry " + e + " has a back-count that does not match it");
			}
		}
		if (cursor.next()) {
			throw new Malformed("stream listpack holds entries after the " + entries + " it declares");
		}
		return count;
	}

	private static long nextInteger(ListpackCursor cursor, String what) throws Malformed {
		nextEntry(cursor, what);
		return cursor.integerValue(what);
	}

	private static void nextEntry(ListpackCursor cursor, String what) throws Malformed {
		if (!cursor.next()) {
			throw new Malformed("stream listpack ends where its " + what + " was expected");
		}
	}

	// ---------------------------------------------------------------- ziplist

	/**
	 * Validates a ziplist, as {@code ziplistValidateIntegrity} does, and optionally that it holds
	 * pairs whose first elements are unique (hashes and sorted sets).
	 * @return the number of elements
	 */
	static long ziplist(byte[] zl, int size, boolean uniquePairs) throws Malformed {
		final int header = 10;
		if (size < header + 1) {
			throw new Malformed("ziplist of " + size + " bytes is shorter than its header");
		}
		long total = le(zl, 0, 4);
		if (total != size) {
			throw new Malformed("ziplist header says " + total + " bytes where the string holds " + size);
		}
		int last = size - 1;
		if ((zl[last] & 0xff) != 0xff) {
			throw new Malformed("ziplist does not end with its terminator");
		}
		long tail = le(zl, 4, 4);
		if (tail > last) {
			throw new Malformed("ziplist tail offset " + tail + " lies beyond its end");
		}
		int declaredCount = (int) le(zl, 8, 2);
		Set<ByteBuffer> seen = uniquePairs ? new HashSet<>() : null;
		int p = header;
		int previous = -1;
		long previousRawSize = 0;
		long count = 0;
		while ((zl[p] & 0xff) != 0xff) {
			int b = zl[p] & 0xff;
			int prevlenSize = (b < 254) ? 1 : 5;
			if (p + prevlenSize > last) {
				throw new Malformed("ziplist entry " + count + " runs past the end of the ziplist");
			}
			long prevlen = (b < 254) ? b : le(zl, p + 1, 4);
			if (prevlen != previousRawSize) {
				throw new Malformed("ziplist entry " + count + " says the previous entry is " + prevlen
						+ " bytes, it is " + previousRawSize);
			}
			int e = p + prevlenSize;
			int encoding = zl[e] & 0xff;
			int lengthSize;
			long length;
			boolean isString = true;
			switch (encoding >>> 6) {
				case 0 -> {
					lengthSize = 1;
					length = encoding & 0x3f;
				}
				case 1 -> {
					lengthSize = 2;
					if (e + 1 > last) {
						throw new Malformed("ziplist entry " + count + " runs past the end of the ziplist");
					}
					length = ((encoding & 0x3f) << 8) | (zl[e + 1] & 0xff);
				}
				case 2 -> {
					lengthSize = 5;
					if (e + 4 > last) {
						throw new Malformed("ziplist entry " + count + " runs past the end of the ziplist");
					}
					length = ((long) (zl[e + 1] & 0xff) << 24) | ((zl[e + 2] & 0xff) << 16) | ((zl[e + 3] & 0xff) << 8)
							| (zl[e + 4] & 0xff);
				}
				default -> {
					isString = false;
					lengthSize = 1;
					if (encoding >= 0xf1 && encoding <= 0xfd) {
						length = 0;
					}
					else {
						length = switch (encoding) {
							case 0xc0 -> 2;
							case 0xd0 -> 4;
							case 0xe0 -> 8;
							case 0xf0 -> 3;
							case 0xfe -> 1;
							default -> throw new Malformed(String.format(
									"ziplist entry %d has the unknown encoding 0x%02x", count, encoding));
						};
					}
				}
			}
			long end = (long) e + lengthSize + length;
			if (end > last) {
				throw new Malformed("ziplist entry " + count + " of " + length + " bytes runs past the end of the ziplist");
			}
			if (seen != null && count % 2 == 0) {
				ByteBuffer member = isString ? ByteBuffer.wrap(zl, e + lengthSize, (int) length)
						: ByteBuffer.wrap(Long.toString(ziplistInteger(zl, e, encoding)).getBytes(StandardCharsets.US_ASCII));
				if (!seen.add(member)) {
					throw new Malformed("ziplist entry " + count + " repeats a member");
				}
			}
			previousRawSize = end - p;
			previous = p;
			p = (int) end;
			count++;
		}
		if (p != last) {
			throw new Malformed("ziplist terminator at byte " + p + " is not its last byte");
		}
		if (previous >= 0 ? previous != tail : tail != header) {
			throw new Malformed("ziplist tail offset " + tail + " is not where its last entry starts");
		}
		if (declaredCount != 0xffff && declaredCount != count) {
			throw new Malformed("ziplist header counts " + declaredCount + " entries, it holds " + count);
		}
		if (uniquePairs && count % 2 != 0) {
			throw new Malformed("ziplist holds " + count + " entries, not pairs");
		}
		return count;
	}

	private static long ziplistInteger(byte[] zl, int e, int encoding) {
		return switch (encoding) {
			case 0xc0 -> (short) le(zl, e + 1, 2);
			case 0xd0 -> (int) le(zl, e + 1, 4);
			case 0xe0 -> le(zl, e + 1, 8);
			case 0xf0 -> (le(zl, e + 1, 3) << 40) >> 40;
			case 0xfe -> zl[e + 1];
			default -> (encoding & 0x0f) - 1;
		};
	}

	// ---------------------------------------------------------------- intset

	/** Validates an intset: known width, exact size, not empty, strictly ascending. */
	static long intset(byte[] is, int size) throws Malformed {
		if (size < 8) {
			throw new Malformed("intset of " + size + " bytes is shorter than its header");
		}
		long width = le(is, 0, 4);
		if (width != 2 && width != 4 && width != 8) {
			throw new Malformed("intset has the unknown width " + width);
		}
		long count = le(is, 4, 4);
		if (8 + count * width != size) {
			throw new Malformed("intset says " + count + " integers of " + width + " bytes in " + size + " bytes");
		}
		if (count == 0) {
			throw new Malformed("intset is empty");
		}
		int shift = 64 - 8 * (int) width;
		long previous = 0;
		for (int i = 0; i < count; i++) {
			long value = (le(is, 8 + i * (int) width, (int) width) << shift) >> shift;
			if (i > 0 && value <= previous) {
				throw new Malformed("intset integer " + i + " is not greater than the one before");
			}
			previous = value;
		}
		return count;
	}

	// ---------------------------------------------------------------- zipmap

	/** Validates a zipmap (hashes of Redis before 2.6). @return the number of pairs */
	static long zipmap(byte[] zm, int size) throws Malformed {
		if (size < 2) {
			throw new Malformed("zipmap of " + size + " bytes is shorter than its header");
		}
		int last = size - 1;
		if ((zm[last] & 0xff) != 0xff) {
			throw new Malformed("zipmap does not end with its terminator");
		}
		Set<ByteBuffer> seen = new HashSet<>();
		long p = 1;
		long count = 0;
		while ((zm[(int) p] & 0xff) != 0xff) {
			long[] field = zipmapLength(zm, p, last, count);
			long fieldStart = p + field[1];
			p = fieldStart + field[0];
			if (p > last) {
				throw new Malformed("zipmap field " + count + " runs past the end of the zipmap");
			}
			if (!seen.add(ByteBuffer.wrap(zm, (int) fieldStart, (int) field[0]))) {
				throw new Malformed("zipmap field " + count + " repeats a field");
			}
			long[] value = zipmapLength(zm, p, last, count);
			p += value[1];
			if (p > last) {
				throw new Malformed("zipmap value " + count + " runs past the end of the zipmap");
			}
			int free = zm[(int) p] & 0xff;
			p += 1 + value[0] + free;
			count++;
			if (p > last) {
				throw new Malformed("zipmap value " + (count - 1) + " runs past the end of the zipmap");
			}
		}
		if (count == 0) {
			throw new Malformed("zipmap is empty");
		}
		int declared = zm[0] & 0xff;
		if (declared != 254 && declared != count) {
			throw new Malformed("zipmap header counts " + declared + " pairs, it holds " + count);
		}
		return count;
	}

	/** {length, size of the length's encoding} */
	private static long[] zipmapLength(byte[] zm, long p, int last, long count) throws Malformed {
		int b = zm[(int) p] & 0xff;
		int size = (b < 254) ? 1 : 5;
		if (p + size > last) {
			throw new Malformed("zipmap entry " + count + " runs past the end of the zipmap");
		}
		long length = (b < 254) ? b : le(zm, (int) p + 1, 4);
		return new long[] { length, size };
	}

	// ---------------------------------------------------------------- LZF

	/**
	 * Decompresses LZF ({@code lzf_d.c}'s format) from {@code in} into exactly {@code outLength} bytes of
	 * {@code out}, refusing back-references before the start and any size mismatch.
	 */
	static void lzfDecompress(byte[] in, int inLength, byte[] out, int outLength) throws Malformed {
		lzfDecompress(in, 0, inLength, out, outLength);
	}

	/** As {@link #lzfDecompress(byte[], int, byte[], int)}, from {@code inLength} bytes at {@code inOffset}. */
	static void lzfDecompress(byte[] in, int inOffset, int inLength, byte[] out, int outLength) throws Malformed {
		int ip = inOffset;
		int inEnd = inOffset + inLength;
		int op = 0;
		while (ip < inEnd) {
			int ctrl = in[ip++] & 0xff;
			if (ctrl < 32) {
				int run = ctrl + 1;
				if (op + run > outLength) {
					throw new Malformed("LZF data expands beyond the " + outLength + " bytes declared");
				}
				if (ip + run > inEnd) {
					throw new Malformed("LZF literal run passes the end of the compressed data");
				}
				System.arraycopy(in, ip, out, op, run);
				ip += run;
				op += run;
			}
			else {
				int length = ctrl >>> 5;
				if (length == 7) {
					if (ip >= inEnd) {
						throw new Malformed("LZF back-reference passes the end of the compressed data");
					}
					length += in[ip++] & 0xff;
				}
				if (ip >= inEnd) {
					throw new Malformed("LZF back-reference passes the end of the compressed data");
				}
				int reference = op - ((ctrl & 0x1f) << 8) - (in[ip++] & 0xff) - 1;
				length += 2;
				if (reference < 0) {
					throw new Malformed("LZF back-reference points before the start of the data");
				}
				if (op + length > outLength) {
					throw new Malformed("LZF data expands beyond the " + outLength + " bytes declared");
				}
				if (op - reference >= length) {
					System.arraycopy(out, reference, out, op, length);
					op += length;
				}
				else {
					// the source overlaps what is being written (a run of period op - reference): copied in
					// chunks of one period, each copy doubling the pattern the next one reads from
					int end = op + length;
					int period = op - reference;
					while (op < end) {
						int chunk = Math.min(period, end - op);
						System.arraycopy(out, reference, out, op, chunk);
						op += chunk;
						period += chunk;
					}
				}
			}
		}
		if (op != outLength) {
			throw new Malformed("LZF data expands to " + op + " bytes, not the " + outLength + " declared");
		}
	}

	/**
	 * Walks {@code length} bytes of LZF data at {@code from} without expanding it, as the parser's
	 * streaming check does: each run and back-reference must stay inside the compressed data, inside
	 * what was produced before it and inside {@code plainLength}.
	 * @return the number of bytes the data expands to, or {@code -1 - produced} at the first run or
	 * back-reference out of bounds ({@code produced}: the bytes expanded before it)
	 */
	static long lzfExpandedLength(byte[] in, int from, int length, long plainLength) {
		int ip = from;
		int end = from + length;
		long produced = 0;
		while (ip < end) {
			int ctrl = in[ip++] & 0xff;
			if (ctrl < 32) {
				int run = ctrl + 1;
				if (run > end - ip || produced + run > plainLength) {
					return -1 - produced;
				}
				ip += run;
				produced += run;
			}
			else {
				int referenceLength = ctrl >>> 5;
				if (referenceLength == 7) {
					if (end - ip < 2) {
						return -1 - produced;
					}
					referenceLength += in[ip++] & 0xff;
				}
				else if (end - ip < 1) {
					return -1 - produced;
				}
				int distance = ((ctrl & 0x1f) << 8) + (in[ip++] & 0xff) + 1;
				referenceLength += 2;
				if (distance > produced || produced + referenceLength > plainLength) {
					return -1 - produced;
				}
				produced += referenceLength;
			}
		}
		return produced;
	}

	static long le(byte[] bytes, int offset, int count) {
		long value = 0;
		for (int i = count - 1; i >= 0; i--) {
			value = (value << 8) | (bytes[offset + i] & 0xff);
		}
		return value;
	}

}
