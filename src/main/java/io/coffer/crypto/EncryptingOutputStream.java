package io.coffer.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypts a stream into the segmented format of {@link ObjectHeader}: a fresh random
 * data key per stream, wrapped with the given KEK; the header is written at once, each
 * segment when full and followed by more data, and the last one by {@link #close()}.
 * Memory: one plaintext and one stored segment.
 * <p>
 * If writing to the sink fails, {@code close()} does not write a last segment, so a
 * failed stream can never end up as a well-formed, shorter object.
 */
public final class EncryptingOutputStream extends OutputStream {

	private static final SecureRandom RANDOM = new SecureRandom();

	/** A full segment as stored: its plaintext and the GCM tag. */
	public static final int STORED_SEGMENT_LENGTH = ObjectHeader.SEGMENT_SIZE + KeyEncryptionKey.TAG_LENGTH;

	private final OutputStream sink;

	private final ObjectHeader header;

	private final SegmentCipher cipher;

	private final byte[] plaintext = new byte[ObjectHeader.SEGMENT_SIZE];

	private final byte[] stored = new byte[ObjectHeader.SEGMENT_SIZE + KeyEncryptionKey.TAG_LENGTH];

	private int buffered;

	private long segmentIndex;

	private boolean failed;

	private boolean closed;

	/**
	 * The plaintext of segment 0 when it is held back (constructed with {@code holdFirstSegment}): not encrypted
	 * until the stream is closed, so that its start may still be rewritten.
	 */
	private byte[] heldFirstSegment;

	private final boolean holdFirstSegment;

	/** Segment 0 as stored, once encrypted at close when it was held back. */
	private byte[] firstSegmentStored;

	public EncryptingOutputStream(OutputStream sink, KeyEncryptionKey kek) throws IOException {
		this(sink, kek, false);
	}

	/**
	 * @param holdFirstSegment whether segment 0 is held back: the sink then first receives zeros in its place
	 * (never a ciphertext of other plaintext under the same nonce), the start of the plaintext may be rewritten
	 * with {@link #rewriteStart} until {@link #close()}, which encrypts it; the caller then puts
	 * {@link #firstSegmentStored()} at {@link #firstSegmentOffset()} of what the sink received. For an archive
	 * whose first bytes (a tar header with the dump's length) are known only at its end.
	 */
	public EncryptingOutputStream(OutputStream sink, KeyEncryptionKey kek, boolean holdFirstSegment) throws IOException {
		this.sink = Objects.requireNonNull(sink, "sink");
		this.holdFirstSegment = holdFirstSegment;
		byte[] dataKey = new byte[ObjectHeader.DATA_KEY_LENGTH];
		byte[] noncePrefix = new byte[ObjectHeader.NONCE_PREFIX_LENGTH];
		RANDOM.nextBytes(dataKey);
		RANDOM.nextBytes(noncePrefix);
		try {
			this.header = ObjectHeader.create(kek, dataKey, noncePrefix);
			this.cipher = new SegmentCipher(dataKey, this.header);
		}
		finally {
			Arrays.fill(dataKey, (byte) 0);
		}
		writeToSink(this.header.toBytes(), this.header.headerLength());
	}

	/** The header written to the sink: key id and wrapped data key for the catalogue. */
	public ObjectHeader header() {
		return this.header;
	}

	/**
	 * Replaces the first {@code bytes.length} bytes of plaintext written so far; only with a held-back
	 * first segment, and within it.
	 */
	public void rewriteStart(byte[] bytes) throws IOException {
		ensureOpen();
		if (!this.holdFirstSegment || bytes.length > this.plaintext.length) {
			throw new IllegalStateException("only the held-back first segment can be rewritten");
		}
		byte[] first = (this.heldFirstSegment != null) ? this.heldFirstSegment : this.plaintext;
		int available = (this.heldFirstSegment != null) ? first.length : this.buffered;
		if (bytes.length > available) {
			throw new IllegalStateException("rewriting " + bytes.length + " bytes where " + available + " were written");
		}
		System.arraycopy(bytes, 0, first, 0, bytes.length);
	}

	/** Where segment 0 starts in what the sink received: right after the header. */
	public int firstSegmentOffset() {
		return this.header.headerLength();
	}

	/**
	 * Segment 0 as it must be stored at {@link #firstSegmentOffset()}, after {@link #close()}; {@code null}
	 * when it was not held back (then the sink received it in place: the stream had one segment).
	 */
	public byte[] firstSegmentStored() {
		return this.firstSegmentStored;
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		ensureOpen();
		while (length > 0) {
			if (this.buffered == this.plaintext.length) {
				// only now is it known that this full segment is not the last one
				writeSegment(false);
			}
			int chunk = Math.min(length, this.plaintext.length - this.buffered);
			System.arraycopy(bytes, offset, this.plaintext, this.buffered, chunk);
			this.buffered += chunk;
			offset += chunk;
			length -= chunk;
		}
	}

	@Override
	public void flush() throws IOException {
		ensureOpen();
		this.sink.flush();
	}

	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			if (!this.failed) {
				writeSegment(true);
				if (this.heldFirstSegment != null) {
					this.firstSegmentStored = new byte[this.stored.length];
					this.cipher.encrypt(0, false, this.heldFirstSegment, this.heldFirstSegment.length,
							this.firstSegmentStored);
				}
				this.sink.flush();
			}
		}
		finally {
			Arrays.fill(this.plaintext, (byte) 0);
			if (this.heldFirstSegment != null) {
				Arrays.fill(this.heldFirstSegment, (byte) 0);
			}
			this.sink.close();
		}
	}

	private void writeSegment(boolean last) throws IOException {
		if (this.holdFirstSegment && this.segmentIndex == 0 && !last) {
			// segment 0 is full and not the last: keep its plaintext, send zeros of its stored length
			this.heldFirstSegment = this.plaintext.clone();
			writeToSink(new byte[this.stored.length], this.stored.length);
			this.segmentIndex++;
			this.buffered = 0;
			return;
		}
		int storedLength = this.cipher.encrypt(this.segmentIndex, last, this.plaintext, this.buffered, this.stored);
		writeToSink(this.stored, storedLength);
		this.segmentIndex++;
		this.buffered = 0;
	}

	private void writeToSink(byte[] bytes, int length) throws IOException {
		try {
			this.sink.write(bytes, 0, length);
		}
		catch (IOException | RuntimeException ex) {
			this.failed = true;
			throw ex;
		}
	}

	private void ensureOpen() throws IOException {
		if (this.closed) {
			throw new IOException("encrypting stream is closed");
		}
		if (this.failed) {
			throw new IOException("encrypting stream failed earlier: the object is incomplete");
		}
	}

}
