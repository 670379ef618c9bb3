package io.coffer.pipeline.rdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import io.coffer.pipeline.rdb.RdbEncodings.Malformed;

/**
 * Listpacks, the compact encoding of small hashes, sets, sorted sets and quicklist nodes since Redis 7
 * and of stream nodes since Redis 5, walked entry by entry with every length and back-length checked
 * against the blob, as Redis' {@code lpValidateIntegrity} and {@code streamValidateListpackIntegrity}
 * do, including duplicate members where Redis refuses them. The older encodings are
 * {@link RdbEncodings}'.
 */
final class Listpacks {

	private Listpacks() {
	}

	/** Walks a listpack's entries, each validated before it is exposed. */
	private static final class ListpackCursor {

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
			long total = RdbEncodings.le(lp, 0, 4);
			if (total != size) {
				throw new Malformed("listpack header says " + total + " bytes where the string holds " + size);
			}
			if ((lp[size - 1] & 0xff) != 0xff) {
				throw new Malformed("listpack does not end with its terminator");
			}
			this.declaredCount = (int) RdbEncodings.le(lp, 4, 2);
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
						long length = RdbEncodings.le(this.lp, p + 1, 4);
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
						this.integer = (RdbEncodings.le(this.lp, p + 1, bytes) << shift) >> shift;
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
	static long tuples(byte[] lp, int size, int tupleSize, boolean unique) throws Malformed {
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
	static long streamNode(byte[] lp, int size) throws Malformed {
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

}
