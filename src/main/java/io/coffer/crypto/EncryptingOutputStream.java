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

	private final OutputStream sink;

	private final ObjectHeader header;

	private final SegmentCipher cipher;

	private final byte[] plaintext = new byte[ObjectHeader.SEGMENT_SIZE];

	private final byte[] stored = new byte[ObjectHeader.SEGMENT_SIZE + KeyEncryptionKey.TAG_LENGTH];

	private int buffered;

	private long segmentIndex;

	private boolean failed;

	private boolean closed;

	public EncryptingOutputStream(OutputStream sink, KeyEncryptionKey kek) throws IOException {
		this.sink = Objects.requireNonNull(sink, "sink");
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
				this.sink.flush();
			}
		}
		finally {
			Arrays.fill(this.plaintext, (byte) 0);
			this.sink.close();
		}
	}

	private void writeSegment(boolean last) throws IOException {
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
