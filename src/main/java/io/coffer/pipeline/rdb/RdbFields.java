package io.coffer.pipeline.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fields every part of a dump is made of, read as Redis' {@code rdbLoadLen} and
 * {@code rdbGenericLoadStringObject} read them: lengths, counts checked against what the dump can
 * still hold, and strings (plain, integer-encoded or LZF-compressed), either validated and skipped
 * or read whole into one reused buffer, {@link #blob()}, for the compact encodings that must be walked.
 * One per parse, over the parser's {@link RdbReader}; nothing here allocates per string unless the
 * buffer must grow.
 */
final class RdbFields {

	/** LZF turns at most 3 compressed bytes into 264 plain ones. */
	private static final int LZF_MAX_EXPANSION = 88;

	private final RdbReader in;

	private byte[] blob = new byte[4096];

	private byte[] compressed = new byte[0];

	RdbFields(RdbReader in) {
		this.in = in;
	}

	/** The string {@link #readBlob} read last, in its first bytes (as many as it returned). */
	byte[] blob() {
		return this.blob;
	}

	long length() throws IOException {
		long at = this.in.offset();
		int b = this.in.u8();
		switch (b >>> 6) {
			case 0:
				return b & 0x3f;
			case 1:
				return ((b & 0x3f) << 8) | this.in.u8();
			case 2:
				if (b == 0x80) {
					return this.in.be32();
				}
				if (b == 0x81) {
					// unsigned: stream IDs use the whole range; counts are checked by count()
					return this.in.be64();
				}
				throw new InvalidRdbException(at, String.format("unknown length encoding 0x%02x", b));
			default:
				throw new InvalidRdbException(at, String.format("a length was expected, found the string encoding 0x%02x", b));
		}
	}

	/** A length that counts items of at least {@code minBytes} each, checked against what is left. */
	long count(String what, int minBytes) throws IOException {
		long at = this.in.offset();
		long n = length();
		long left = this.in.remaining();
		if (n < 0 || n > left / minBytes) {
			throw new InvalidRdbException(at, String.format("%s of length %,d exceeds the %,d bytes left", what,
					new java.math.BigInteger(Long.toUnsignedString(n)), left));
		}
		return n;
	}

	/** Validates a string and moves past it without keeping it. */
	void skipString(String what) throws IOException {
		long at = this.in.offset();
		int b = this.in.u8();
		long length;
		switch (b >>> 6) {
			case 0 -> length = b & 0x3f;
			case 1 -> length = ((b & 0x3f) << 8) | this.in.u8();
			case 2 -> length = stringLength32or64(b, at);
			default -> {
				switch (b & 0x3f) {
					case 0 -> this.in.skip(1);
					case 1 -> this.in.skip(2);
					case 2 -> this.in.skip(4);
					case 3 -> checkLzf(what, at);
					default -> throw new InvalidRdbException(at, String.format("%s has the unknown string encoding 0x%02x", what, b));
				}
				return;
			}
		}
		long left = this.in.remaining();
		if (length > left) {
			throw new InvalidRdbException(at, String.format("%s of length %,d exceeds the %,d bytes left", what, length, left));
		}
		this.in.skip(length);
	}

	private long stringLength32or64(int b, long at) throws IOException {
		if (b == 0x80) {
			return this.in.be32();
		}
		if (b == 0x81) {
			long value = this.in.be64();
			return (value < 0) ? Long.MAX_VALUE : value;
		}
		throw new InvalidRdbException(at, String.format("unknown length encoding 0x%02x", b));
	}

	/**
	 * Checks an LZF string as it streams: control bytes, literal runs, and back-references that must
	 * point into what was already produced; the total must be the declared length.
	 */
	private void checkLzf(String what, long at) throws IOException {
		long[] lengths = lzfLengths(what, at);
		long compressedLeft = lengths[0];
		long plainLength = lengths[1];
		long produced = 0;
		RdbReader r = this.in;
		if (r.limit() - r.position() >= compressedLeft) {
			// already buffered whole (most strings): walked in place, without a reader call per byte
			produced = RdbEncodings.lzfExpandedLength(r.buffer(), r.position(), (int) compressedLeft, plainLength);
			if (produced < 0) {
				throw lzfFault(what, at, -1 - produced, plainLength);
			}
			r.advance((int) compressedLeft);
			compressedLeft = 0;
		}
		while (compressedLeft > 0) {
			int ctrl = r.u8();
			compressedLeft--;
			if (ctrl < 32) {
				int run = ctrl + 1;
				if (run > compressedLeft || produced + run > plainLength) {
					throw lzfFault(what, at, produced, plainLength);
				}
				r.skip(run);
				compressedLeft -= run;
				produced += run;
			}
			else {
				int length = ctrl >>> 5;
				if (length == 7) {
					if (compressedLeft < 2) {
						throw lzfFault(what, at, produced, plainLength);
					}
					length += r.u8();
					compressedLeft--;
				}
				else if (compressedLeft < 1) {
					throw lzfFault(what, at, produced, plainLength);
				}
				int distance = ((ctrl & 0x1f) << 8) + r.u8() + 1;
				compressedLeft--;
				length += 2;
				if (distance > produced || produced + length > plainLength) {
					throw lzfFault(what, at, produced, plainLength);
				}
				produced += length;
			}
		}
		if (produced != plainLength) {
			throw new InvalidRdbException(at, String.format("%s: LZF data expands to %,d bytes, not the %,d declared", what,
					produced, plainLength));
		}
	}

	/** {compressed length, plain length}, both checked. */
	private long[] lzfLengths(String what, long at) throws IOException {
		long compressedLength = length();
		long plainLength = length();
		long left = this.in.remaining();
		if (compressedLength > left) {
			throw new InvalidRdbException(at, String.format("%s: LZF data of length %,d exceeds the %,d bytes left", what,
					compressedLength, left));
		}
		if (compressedLength == 0 || plainLength / LZF_MAX_EXPANSION > compressedLength) {
			throw new InvalidRdbException(at, String.format("%s: %,d bytes of LZF data cannot expand to the %,d declared",
					what, compressedLength, plainLength));
		}
		return new long[] { compressedLength, plainLength };
	}

	private InvalidRdbException lzfFault(String what, long at, long produced, long plainLength) {
		return new InvalidRdbException(at, String.format(
				"%s: LZF data is corrupt after %,d of its %,d bytes (a run or back-reference out of bounds)", what,
				produced, plainLength));
	}

	/** Reads a string whole into {@link #blob}, decompressing LZF. @return its length */
	int readBlob(String what, int limit) throws IOException {
		long at = this.in.offset();
		int b = this.in.u8();
		long length;
		switch (b >>> 6) {
			case 0 -> length = b & 0x3f;
			case 1 -> length = ((b & 0x3f) << 8) | this.in.u8();
			case 2 -> length = stringLength32or64(b, at);
			default -> {
				switch (b & 0x3f) {
					case 0 -> {
						return decimal((byte) this.in.u8());
					}
					case 1 -> {
						return decimal((short) this.in.le(2));
					}
					case 2 -> {
						return decimal((int) this.in.le(4));
					}
					case 3 -> {
						return readLzfBlob(what, at, limit);
					}
					default -> throw new InvalidRdbException(at, String.format("%s has the unknown string encoding 0x%02x", what, b));
				}
			}
		}
		long left = this.in.remaining();
		if (length > left) {
			throw new InvalidRdbException(at, String.format("%s of length %,d exceeds the %,d bytes left", what, length, left));
		}
		checkLimit(what, at, length, limit);
		readGrowing(length);
		return (int) length;
	}

	private int readLzfBlob(String what, long at, int limit) throws IOException {
		long[] lengths = lzfLengths(what, at);
		checkLimit(what, at, lengths[1], limit);
		checkLimit(what, at, lengths[0], limit);
		int compressedLength = (int) lengths[0];
		int plainLength = (int) lengths[1];
		RdbReader r = this.in;
		if (r.limit() - r.position() >= compressedLength) {
			// already buffered whole (most values): expanded from the reader's buffer, without a copy first
			if (this.blob.length < plainLength) {
				this.blob = new byte[Math.max(plainLength, Math.min(limit, this.blob.length * 2))];
			}
			try {
				RdbEncodings.lzfDecompress(r.buffer(), r.position(), compressedLength, this.blob, plainLength);
			}
			catch (RdbEncodings.Malformed ex) {
				throw new InvalidRdbException(at, what + ": " + ex.getMessage());
			}
			r.advance(compressedLength);
			return plainLength;
		}
		// read into blob first (growing as bytes arrive), then swap it with the compressed buffer
		readGrowing(compressedLength);
		byte[] input = this.blob;
		this.blob = this.compressed;
		this.compressed = input;
		if (this.blob.length < plainLength) {
			this.blob = new byte[Math.max(plainLength, Math.min(limit, this.blob.length * 2))];
		}
		try {
			RdbEncodings.lzfDecompress(this.compressed, compressedLength, this.blob, plainLength);
		}
		catch (RdbEncodings.Malformed ex) {
			throw new InvalidRdbException(at, what + ": " + ex.getMessage());
		}
		return plainLength;
	}

	private void checkLimit(String what, long at, long length, int limit) throws InvalidRdbException {
		if (length > limit) {
			throw new InvalidRdbException(at, String.format("%s of %,d bytes is larger than the %,d bytes this check holds",
					what, length, limit));
		}
	}

	/** Reads {@code length} bytes into {@link #blob}, growing it only as the bytes actually arrive. */
	private void readGrowing(long length) throws IOException {
		int total = (int) length;
		int done = 0;
		while (done < total) {
			int step = Math.min(total - done, 1 << 20);
			if (this.blob.length < done + step) {
				this.blob = Arrays.copyOf(this.blob, Math.max(done + step, Math.min(total, this.blob.length * 2)));
			}
			this.in.readFully(this.blob, done, step);
			done += step;
		}
	}

	private int decimal(long value) {
		byte[] digits = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
		if (this.blob.length < digits.length) {
			this.blob = new byte[4096];
		}
		System.arraycopy(digits, 0, this.blob, 0, digits.length);
		return digits.length;
	}

}
