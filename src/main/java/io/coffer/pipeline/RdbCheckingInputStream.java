package io.coffer.pipeline;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Checks a Redis dump while it streams through, without buffering it: the magic
 * {@code REDIS} and 4-digit version as soon as they arrive, and at the end of the stream
 * the end-of-file opcode {@code 0xFF} and, from RDB version 5, the trailing little-endian
 * CRC-64 of everything before it (0 means the server had checksums disabled). Only the
 * last 8 bytes are held back from the checksum, since they may turn out to be it.
 * <p>
 * Failures are {@link InvalidRdbException}s, thrown by the read that meets them; the dump
 * is known to be whole once a read has returned -1.
 */
public final class RdbCheckingInputStream extends FilterInputStream {

	private static final byte[] MAGIC = "REDIS".getBytes(StandardCharsets.US_ASCII);

	private static final int HEADER_LENGTH = MAGIC.length + 4;

	private static final int FIRST_VERSION_WITH_CHECKSUM = 5;

	private static final int EOF_OPCODE = 0xFF;

	private static final int CHECKSUM_LENGTH = 8;

	private final int maxRdbVersion;

	private final byte[] header = new byte[HEADER_LENGTH];

	private int headerBytes;

	private int rdbVersion = -1;

	private final Crc64 crc = new Crc64();

	private final byte[] tail = new byte[CHECKSUM_LENGTH];

	private int tailBytes;

	private int lastChecksummedByte = -1;

	private long length;

	private boolean verified;

	private InvalidRdbException failure;

	/**
	 * @param maxRdbVersion the newest RDB version the target Redis can load
	 */
	public RdbCheckingInputStream(InputStream in, int maxRdbVersion) {
		super(Objects.requireNonNull(in, "in"));
		this.maxRdbVersion = maxRdbVersion;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n == -1) ? -1 : Byte.toUnsignedInt(one[0]);
	}

	@Override
	public int read(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		if (this.failure != null) {
			throw this.failure;
		}
		if (length == 0) {
			return 0;
		}
		int n = this.in.read(bytes, offset, length);
		try {
			if (n == -1) {
				verifyEnd();
			}
			else {
				inspect(bytes, offset, n);
			}
		}
		catch (InvalidRdbException ex) {
			this.failure = ex;
			throw ex;
		}
		return n;
	}

	@Override
	public long skip(long n) throws IOException {
		// skipped bytes must still be checked
		long skipped = 0;
		byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
		while (skipped < n) {
			int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
			if (read == -1) {
				break;
			}
			skipped += read;
		}
		return skipped;
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	@Override
	public synchronized void mark(int readLimit) {
	}

	@Override
	public synchronized void reset() throws IOException {
		throw new IOException("mark/reset is not supported");
	}

	/** The dump's RDB version, known once its first 9 bytes have been read. */
	public int rdbVersion() {
		if (this.rdbVersion < 0) {
			throw new IllegalStateException("the RDB header has not been read yet");
		}
		return this.rdbVersion;
	}

	/** Bytes read so far: the dump's length once the end was reached. */
	public long length() {
		return this.length;
	}

	/** Whether the end was reached and the dump found whole. */
	public boolean isVerified() {
		return this.verified;
	}

	private void inspect(byte[] bytes, int offset, int count) throws InvalidRdbException {
		this.length += count;
		if (this.headerBytes < HEADER_LENGTH) {
			int headerChunk = Math.min(count, HEADER_LENGTH - this.headerBytes);
			System.arraycopy(bytes, offset, this.header, this.headerBytes, headerChunk);
			this.headerBytes += headerChunk;
			checkHeader();
		}
		int pending = this.tailBytes + count;
		if (pending <= CHECKSUM_LENGTH) {
			System.arraycopy(bytes, offset, this.tail, this.tailBytes, count);
			this.tailBytes = pending;
			return;
		}
		int toChecksum = pending - CHECKSUM_LENGTH;
		int fromTail = Math.min(this.tailBytes, toChecksum);
		if (fromTail > 0) {
			this.crc.update(this.tail, 0, fromTail);
			this.lastChecksummedByte = Byte.toUnsignedInt(this.tail[fromTail - 1]);
			System.arraycopy(this.tail, fromTail, this.tail, 0, this.tailBytes - fromTail);
			this.tailBytes -= fromTail;
		}
		int fromChunk = toChecksum - fromTail;
		if (fromChunk > 0) {
			this.crc.update(bytes, offset, fromChunk);
			this.lastChecksummedByte = Byte.toUnsignedInt(bytes[offset + fromChunk - 1]);
		}
		System.arraycopy(bytes, offset + fromChunk, this.tail, this.tailBytes, count - fromChunk);
		this.tailBytes += count - fromChunk;
	}

	private void checkHeader() throws InvalidRdbException {
		for (int i = 0; i < Math.min(this.headerBytes, MAGIC.length); i++) {
			if (this.header[i] != MAGIC[i]) {
				throw new InvalidRdbException("not an RDB file: bad magic");
			}
		}
		if (this.headerBytes < HEADER_LENGTH || this.rdbVersion >= 0) {
			return;
		}
		String digits = new String(this.header, MAGIC.length, HEADER_LENGTH - MAGIC.length, StandardCharsets.US_ASCII);
		if (!digits.chars().allMatch((c) -> c >= '0' && c <= '9')) {
			throw new InvalidRdbException("not an RDB file: bad version '" + digits + "'");
		}
		int version = Integer.parseInt(digits);
		if (version < 1) {
			throw new InvalidRdbException("not an RDB file: bad version '" + digits + "'");
		}
		if (version > this.maxRdbVersion) {
			throw new InvalidRdbException("RDB version " + version + " is newer than this Redis supports (max "
					+ this.maxRdbVersion + ")");
		}
		this.rdbVersion = version;
	}

	private void verifyEnd() throws InvalidRdbException {
		if (this.verified) {
			return;
		}
		if (this.length == 0) {
			throw new InvalidRdbException("dump is empty");
		}
		if (this.headerBytes < HEADER_LENGTH) {
			throw new InvalidRdbException("dump is truncated: no end-of-file marker");
		}
		if (this.rdbVersion < FIRST_VERSION_WITH_CHECKSUM) {
			if (this.length < HEADER_LENGTH + 1 || Byte.toUnsignedInt(this.tail[this.tailBytes - 1]) != EOF_OPCODE) {
				throw new InvalidRdbException("dump is truncated: no end-of-file marker");
			}
		}
		else {
			if (this.length < HEADER_LENGTH + 1 + CHECKSUM_LENGTH || this.lastChecksummedByte != EOF_OPCODE) {
				throw new InvalidRdbException("dump is truncated: no end-of-file marker");
			}
			long stored = littleEndianLong(this.tail);
			if (stored != 0 && stored != this.crc.getValue()) {
				throw new InvalidRdbException(String.format("RDB checksum mismatch: expected %016x got %016x", stored,
						this.crc.getValue()));
			}
		}
		this.verified = true;
	}

	private static long littleEndianLong(byte[] bytes) {
		long value = 0;
		for (int i = 7; i >= 0; i--) {
			value = (value << 8) | (bytes[i] & 0xff);
		}
		return value;
	}

}
