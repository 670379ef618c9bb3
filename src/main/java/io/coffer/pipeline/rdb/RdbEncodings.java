package io.coffer.pipeline.rdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The compact encodings Redis stores inside an RDB string — listpack (in {@link Listpacks}), ziplist,
 * intset, zipmap, and the stream's listpack layout (in {@link Listpacks} too) — walked element by
 * element with every length checked against the blob, as Redis' deep {@code sanitize-dump-payload}
 * does ({@code lpValidateIntegrity}, {@code ziplistValidateIntegrity}, {@code intsetValidateIntegrity},
 * {@code zipmapValidateIntegrity}, {@code streamValidateListpackIntegrity}), including duplicate
 * members where Redis refuses them; and LZF, the compression of RDB strings. Each validator returns
 * the number of elements (so that empty values can be told apart) or throws {@link Malformed} with
 * what was wrong.
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
