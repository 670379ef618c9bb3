package io.coffer.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decrypts and authenticates an object written by {@link EncryptingOutputStream}, one
 * segment at a time: a segment's bytes are returned only after its tag has been verified.
 * A segment is taken as the last one when the stored stream ends after it, so a missing
 * last segment, a cut in a segment, or bytes after the last segment all fail
 * authentication with an {@link IntegrityException}.
 */
public final class DecryptingInputStream extends InputStream {

	private final PushbackInputStream stored;

	private final SegmentCipher cipher;

	private final byte[] storedSegment = new byte[ObjectHeader.SEGMENT_SIZE + KeyEncryptionKey.TAG_LENGTH];

	private final byte[] plaintext = new byte[ObjectHeader.SEGMENT_SIZE];

	private long segmentIndex;

	private int position;

	private int limit;

	private boolean lastSegmentRead;

	private boolean closed;

	private IOException failure;

	/**
	 * Reads the header from {@code stored} and unwraps the data key with the KEK it names.
	 * @throws UnknownKeyException if that KEK is not in the keyring
	 * @throws IntegrityException if the header does not authenticate
	 */
	public DecryptingInputStream(InputStream stored, Keyring keyring) throws IOException {
		this(ObjectHeader.read(stored), 0, stored, keyring);
	}

	private DecryptingInputStream(ObjectHeader header, long firstSegment, InputStream stored, Keyring keyring)
			throws IOException {
		byte[] dataKey = header.unwrapDataKey(keyring);
		try {
			this.cipher = new SegmentCipher(dataKey, header);
		}
		finally {
			Arrays.fill(dataKey, (byte) 0);
		}
		this.stored = new PushbackInputStream(stored, 1);
		this.segmentIndex = firstSegment;
	}

	/**
	 * Decrypts from segment {@code segmentIndex} on, for range downloads.
	 * {@code atSegment} must start at {@link EncryptedLayout#storedOffsetOfSegment} and run
	 * to the end of the object (an open-ended range): the last segment is recognised by the
	 * end of the stream. Stop reading once you have what you need.
	 */
	public static DecryptingInputStream fromSegment(ObjectHeader header, long segmentIndex, InputStream atSegment,
			Keyring keyring) throws IOException {
		Objects.requireNonNull(header, "header");
		if (segmentIndex < 0 || segmentIndex >= SegmentCipher.MAX_SEGMENTS) {
			throw new IllegalArgumentException("segment index " + segmentIndex + " is out of range");
		}
		return new DecryptingInputStream(header, segmentIndex, atSegment, keyring);
	}

	@Override
	public int read() throws IOException {
		if (!fill()) {
			return -1;
		}
		return Byte.toUnsignedInt(this.plaintext[this.position++]);
	}

	@Override
	public int read(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		if (length == 0) {
			return 0;
		}
		if (!fill()) {
			return -1;
		}
		int chunk = Math.min(length, this.limit - this.position);
		System.arraycopy(this.plaintext, this.position, bytes, offset, chunk);
		this.position += chunk;
		return chunk;
	}

	@Override
	public int available() {
		return this.limit - this.position;
	}

	/** Returns false at the end of the last segment. */
	private boolean fill() throws IOException {
		if (this.closed) {
			throw new IOException("decrypting stream is closed");
		}
		if (this.failure != null) {
			// never resume after a failed segment: what follows it cannot be trusted either
			throw this.failure;
		}
		while (this.position == this.limit) {
			if (this.lastSegmentRead) {
				return false;
			}
			readSegment();
		}
		return true;
	}

	private void readSegment() throws IOException {
		int length = this.stored.readNBytes(this.storedSegment, 0, this.storedSegment.length);
		boolean last = true;
		if (length == this.storedSegment.length) {
			int next = this.stored.read();
			if (next != -1) {
				this.stored.unread(next);
				last = false;
			}
		}
		this.position = 0;
		this.limit = 0;
		try {
			this.limit = this.cipher.decrypt(this.segmentIndex, last, this.storedSegment, length, this.plaintext);
		}
		catch (IntegrityException ex) {
			this.failure = ex;
			throw ex;
		}
		this.lastSegmentRead = last;
		this.segmentIndex++;
	}

	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		Arrays.fill(this.plaintext, (byte) 0);
		this.stored.close();
	}

}
