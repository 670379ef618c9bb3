package io.coffer.pipeline.rdb;

import java.io.IOException;
import java.io.InputStream;

/**
 * The parser's view of a dump: a buffered, forward-only reader that knows its position (for the
 * offsets of refusals), how many bytes can still come (when the dump's length was announced) and the
 * CRC-64 of everything consumed so far. Running out of bytes is a refusal, never an EOF exception.
 */
final class RdbReader {

	private static final int BUFFER_SIZE = 64 * 1024;

	private final InputStream in;

	private final long expectedLength;

	private final byte[] buffer = new byte[BUFFER_SIZE];

	/** next byte to consume */
	private int position;

	/** end of the valid bytes in the buffer */
	private int limit;

	/** first byte of the buffer not yet in the CRC */
	private int checksummedUpTo;

	/** dump offset of buffer[0] */
	private long bufferStart;

	private final Crc64 crc = new Crc64();

	private boolean sourceEnded;

	/** Receives the bytes consumed while a value is captured, or null. */
	private RdbKeyVisitor.Value capture;

	/** First byte of the buffer not yet handed to {@link #capture}. */
	private int capturedUpTo;

	/**
	 * @param expectedLength the dump's announced length, or -1 when unknown
	 */
	RdbReader(InputStream in, long expectedLength) {
		this.in = in;
		this.expectedLength = expectedLength;
	}

	/** Dump offset of the next byte. */
	long offset() {
		return this.bufferStart + this.position;
	}

	/** Bytes the dump can still hold after the next one, as far as is known. */
	long remaining() {
		return (this.expectedLength < 0) ? Long.MAX_VALUE : this.expectedLength - offset();
	}

	boolean lengthKnown() {
		return this.expectedLength >= 0;
	}

	int u8() throws IOException {
		if (this.position == this.limit) {
			require(1);
		}
		return this.buffer[this.position++] & 0xff;
	}

	/** Unsigned big-endian 32-bit. */
	long be32() throws IOException {
		require(4);
		byte[] b = this.buffer;
		int p = this.position;
		this.position = p + 4;
		return ((long) (b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
	}

	long be64() throws IOException {
		return (be32() << 32) | be32();
	}

	/** Little-endian, {@code count} bytes (up to 8). */
	long le(int count) throws IOException {
		require(count);
		long value = 0;
		for (int i = count - 1; i >= 0; i--) {
			value = (value << 8) | (this.buffer[this.position + i] & 0xff);
		}
		this.position += count;
		return value;
	}

	void skip(long count) throws IOException {
		long left = count;
		while (true) {
			int available = this.limit - this.position;
			if (left <= available) {
				this.position += (int) left;
				return;
			}
			left -= available;
			this.position = this.limit;
			require(1);
		}
	}

	void readFully(byte[] target, int offset, int count) throws IOException {
		int done = 0;
		while (done < count) {
			if (this.position == this.limit) {
				require(1);
			}
			int chunk = Math.min(count - done, this.limit - this.position);
			System.arraycopy(this.buffer, this.position, target, offset + done, chunk);
			this.position += chunk;
			done += chunk;
		}
	}

	/**
	 * Makes at least {@code count} (at most the buffer's size) bytes available from {@link #position}
	 * on, or refuses the dump for ending too early.
	 */
	void require(int count) throws IOException {
		while (this.limit - this.position < count) {
			if (!fill()) {
				throw new InvalidRdbException(offset(), String.format(
						"the dump ends %s: %,d of the %,d bytes being read are missing",
						(this.expectedLength >= 0 && this.bufferStart + this.limit < this.expectedLength)
								? "before its announced length" : "too early",
						count - (this.limit - this.position), count));
			}
		}
	}

	/** The buffer: valid from {@link #position()} to {@link #limit()}. */
	byte[] buffer() {
		return this.buffer;
	}

	int position() {
		return this.position;
	}

	int limit() {
		return this.limit;
	}

	void advance(int count) {
		this.position += count;
	}

	/** The CRC-64 of every byte consumed so far. */
	long checksum() {
		updateChecksum();
		return this.crc.getValue();
	}

	/** Hands every byte consumed from now on to {@code sink}, until {@link #endCapture}. */
	void startCapture(RdbKeyVisitor.Value sink) {
		this.capture = sink;
		this.capturedUpTo = this.position;
	}

	void endCapture() throws IOException {
		flushCapture();
		this.capture = null;
	}

	private void flushCapture() throws IOException {
		if (this.capture != null && this.position > this.capturedUpTo) {
			this.capture.write(this.buffer, this.capturedUpTo, this.position - this.capturedUpTo);
			this.capturedUpTo = this.position;
		}
	}

	/** Whether the source has no more bytes after those consumed. */
	boolean atEnd() throws IOException {
		return this.position == this.limit && !fill();
	}

	private void updateChecksum() {
		if (this.position > this.checksummedUpTo) {
			this.crc.update(this.buffer, this.checksummedUpTo, this.position - this.checksummedUpTo);
			this.checksummedUpTo = this.position;
		}
	}

	/** Reads more bytes, keeping the unconsumed ones; false at the end of the source. */
	private boolean fill() throws IOException {
		if (this.sourceEnded) {
			return false;
		}
		updateChecksum();
		flushCapture();
		if (this.position > 0) {
			int kept = this.limit - this.position;
			System.arraycopy(this.buffer, this.position, this.buffer, 0, kept);
			this.bufferStart += this.position;
			this.limit = kept;
			this.checksummedUpTo -= this.position;
			this.capturedUpTo = Math.max(0, this.capturedUpTo - this.position);
			this.position = 0;
		}
		int read = this.in.read(this.buffer, this.limit, this.buffer.length - this.limit);
		if (read < 0) {
			this.sourceEnded = true;
			return false;
		}
		this.limit += read;
		return true;
	}

}
