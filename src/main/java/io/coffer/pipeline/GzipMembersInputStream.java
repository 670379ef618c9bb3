package io.coffer.pipeline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

import io.coffer.pipeline.DeflateLibrary.BlockInflater;

/**
 * Reads a gzip stream of one or more members (RFC 1952) as one stream of plain bytes.
 * <p>
 * A member written by Coffer records its sizes in its header ({@link GzipFormat}): it is read whole
 * and inflated in one call of the {@link DeflateLibraries#active() chosen library}, and its bytes
 * are served only after its CRC-32 and ISIZE matched. Any other member (an import, an archive of an
 * older Coffer) streams through {@code java.util.zip}, its CRC-32 and ISIZE checked at its end.
 * Truncation, corruption, and anything but gzip after a member fail the read with an
 * {@link IOException} that says which member.
 */
public final class GzipMembersInputStream extends InputStream {

	/** Larger recorded sizes are not trusted with a buffer: such a member streams instead. */
	static final int MAX_INDEXED_SIZE = 64 * 1024 * 1024;

	private static final int BUFFER_SIZE = 64 * 1024;

	private final InputStream in;

	private final DeflateLibrary library;

	private final byte[] buffer = new byte[BUFFER_SIZE];

	private int bufferPosition;

	private int bufferLimit;

	private BlockInflater blockInflater;

	private byte[] deflated = new byte[0];

	private byte[] plain = new byte[0];

	private int plainPosition;

	private int plainLimit;

	/** Whether a member is being streamed through {@link #streamingInflater}. */
	private boolean streaming;

	private Inflater streamingInflater;

	private final CRC32 crc = new CRC32();

	private long streamedLength;

	private long members;

	private boolean ended;

	private boolean closed;

	public GzipMembersInputStream(InputStream in) {
		this(in, DeflateLibraries.active());
	}

	public GzipMembersInputStream(InputStream in, DeflateLibrary library) {
		this.in = Objects.requireNonNull(in, "in");
		this.library = Objects.requireNonNull(library, "library");
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
	}

	@Override
	public int read(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		if (this.closed) {
			throw new IOException("the gzip stream is closed");
		}
		if (length == 0) {
			return 0;
		}
		while (this.plainPosition == this.plainLimit) {
			if (this.ended) {
				return -1;
			}
			if (this.streaming) {
				inflateStreaming();
			}
			else {
				nextMember();
			}
		}
		int n = Math.min(length, this.plainLimit - this.plainPosition);
		System.arraycopy(this.plain, this.plainPosition, bytes, offset, n);
		this.plainPosition += n;
		return n;
	}

	@Override
	public int available() {
		return this.plainLimit - this.plainPosition;
	}

	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			this.in.close();
		}
		finally {
			releaseInflaters();
		}
	}

	private void releaseInflaters() {
		if (this.blockInflater != null) {
			this.blockInflater.close();
			this.blockInflater = null;
		}
		if (this.streamingInflater != null) {
			this.streamingInflater.end();
			this.streamingInflater = null;
		}
	}

	private void nextMember() throws IOException {
		int first = readByteOrEnd();
		if (first < 0) {
			if (this.members == 0) {
				throw new EOFException("the gzip stream is empty");
			}
			this.ended = true;
			// callers that read to the end but never close (a reader under a tar stream) free them here
			releaseInflaters();
			return;
		}
		if (first != GzipFormat.ID1 || readByte() != GzipFormat.ID2) {
			throw new ZipException((this.members == 0) ? "not in gzip format"
					: "the data after gzip member " + this.members + " is not gzip");
		}
		this.members++;
		int method = readByte();
		if (method != GzipFormat.DEFLATE) {
			throw new ZipException("gzip member " + this.members + " uses compression method " + method
					+ ", not deflate");
		}
		int flags = readByte();
		if ((flags & GzipFormat.RESERVED_FLAGS) != 0) {
			throw new ZipException("gzip member " + this.members + " has reserved flags set");
		}
		skip(6); // MTIME, XFL, OS
		long deflatedLength = -1;
		long plainLength = -1;
		if ((flags & GzipFormat.FEXTRA) != 0) {
			int extraLength = readByte() | readByte() << 8;
			byte[] extra = new byte[extraLength];
			readFully(extra, extraLength);
			int position = 0;
			while (position < extraLength) {
				if (position + 4 > extraLength) {
					throw new ZipException("gzip member " + this.members + " has a malformed extra field");
				}
				int subfieldLength = (extra[position + 2] & 0xff) | (extra[position + 3] & 0xff) << 8;
				if (position + 4 + subfieldLength > extraLength) {
					throw new ZipException("gzip member " + this.members + " has a malformed extra field");
				}
				if (extra[position] == GzipFormat.SUBFIELD_ID1 && extra[position + 1] == GzipFormat.SUBFIELD_ID2
						&& subfieldLength == GzipFormat.SUBFIELD_LENGTH) {
					deflatedLength = Integer.toUnsignedLong(GzipFormat.readIntLittleEndian(extra, position + 4));
					plainLength = Integer.toUnsignedLong(GzipFormat.readIntLittleEndian(extra, position + 8));
				}
				position += 4 + subfieldLength;
			}
		}
		if ((flags & GzipFormat.FNAME) != 0) {
			skipZeroTerminated();
		}
		if ((flags & GzipFormat.FCOMMENT) != 0) {
			skipZeroTerminated();
		}
		if ((flags & GzipFormat.FHCRC) != 0) {
			skip(2);
		}
		if (deflatedLength > 0 && deflatedLength <= MAX_INDEXED_SIZE && plainLength >= 0
				&& plainLength <= MAX_INDEXED_SIZE) {
			inflateWhole((int) deflatedLength, (int) plainLength);
		}
		else {
			startStreaming();
		}
	}

	/** A member of known sizes: read whole, inflated in one call, checked before it is served. */
	private void inflateWhole(int deflatedLength, int plainLength) throws IOException {
		if (this.deflated.length < deflatedLength) {
			this.deflated = new byte[deflatedLength];
		}
		readFully(this.deflated, deflatedLength);
		if (this.plain.length < plainLength) {
			this.plain = new byte[plainLength];
		}
		if (this.blockInflater == null) {
			this.blockInflater = this.library.newInflater();
		}
		try {
			this.blockInflater.inflate(this.deflated, deflatedLength, this.plain, plainLength);
		}
		catch (DataFormatException ex) {
			throw new ZipException("gzip member " + this.members + " is corrupt: " + ex.getMessage());
		}
		this.crc.reset();
		this.crc.update(this.plain, 0, plainLength);
		checkTrailer(plainLength);
		this.plainPosition = 0;
		this.plainLimit = plainLength;
	}

	private void startStreaming() {
		if (this.streamingInflater == null) {
			this.streamingInflater = new Inflater(true);
		}
		else {
			this.streamingInflater.reset();
		}
		this.streaming = true;
		this.crc.reset();
		this.streamedLength = 0;
		if (this.plain.length < BUFFER_SIZE) {
			this.plain = new byte[BUFFER_SIZE];
		}
	}

	/** Inflates the next bytes of a streamed member, and checks its trailer at its end. */
	private void inflateStreaming() throws IOException {
		int produced = 0;
		while (produced == 0 && !this.streamingInflater.finished()) {
			if (this.streamingInflater.needsInput()) {
				if (this.bufferPosition == this.bufferLimit && !fill()) {
					throw truncated();
				}
				this.streamingInflater.setInput(this.buffer, this.bufferPosition, this.bufferLimit - this.bufferPosition);
				// java.util.zip holds them now; what it does not use is given back at the member's end
				this.bufferPosition = this.bufferLimit;
			}
			try {
				produced = this.streamingInflater.inflate(this.plain, 0, this.plain.length);
			}
			catch (DataFormatException ex) {
				throw new ZipException("gzip member " + this.members + " is corrupt: " + ex.getMessage());
			}
			if (produced == 0 && this.streamingInflater.needsDictionary()) {
				throw new ZipException("gzip member " + this.members + " needs a preset dictionary");
			}
		}
		this.crc.update(this.plain, 0, produced);
		this.streamedLength += produced;
		this.plainPosition = 0;
		this.plainLimit = produced;
		if (this.streamingInflater.finished()) {
			this.bufferPosition = this.bufferLimit - this.streamingInflater.getRemaining();
			this.streaming = false;
			checkTrailer(this.streamedLength);
		}
	}

	private void checkTrailer(long plainLength) throws IOException {
		byte[] trailer = new byte[GzipFormat.TRAILER_LENGTH];
		readFully(trailer, trailer.length);
		int expectedCrc = GzipFormat.readIntLittleEndian(trailer, 0);
		int expectedLength = GzipFormat.readIntLittleEndian(trailer, 4);
		if (expectedCrc != (int) this.crc.getValue()) {
			throw new ZipException("gzip member " + this.members + " is corrupt: its CRC-32 does not match");
		}
		if (expectedLength != (int) plainLength) {
			throw new ZipException("gzip member " + this.members + " is corrupt: it holds " + plainLength
					+ " bytes, its trailer says " + Integer.toUnsignedLong(expectedLength) + " (modulo 2^32)");
		}
	}

	private boolean fill() throws IOException {
		int n = this.in.read(this.buffer, 0, this.buffer.length);
		while (n == 0) {
			n = this.in.read(this.buffer, 0, this.buffer.length);
		}
		if (n < 0) {
			return false;
		}
		this.bufferPosition = 0;
		this.bufferLimit = n;
		return true;
	}

	private int readByteOrEnd() throws IOException {
		if (this.bufferPosition == this.bufferLimit && !fill()) {
			return -1;
		}
		return this.buffer[this.bufferPosition++] & 0xff;
	}

	private int readByte() throws IOException {
		int b = readByteOrEnd();
		if (b < 0) {
			throw truncated();
		}
		return b;
	}

	private void readFully(byte[] target, int length) throws IOException {
		int done = 0;
		while (done < length) {
			if (this.bufferPosition == this.bufferLimit && length - done >= BUFFER_SIZE) {
				// a whole member: straight into its array, not through the buffer
				int n = this.in.read(target, done, length - done);
				if (n < 0) {
					throw truncated();
				}
				done += n;
				continue;
			}
			if (this.bufferPosition == this.bufferLimit && !fill()) {
				throw truncated();
			}
			int n = Math.min(length - done, this.bufferLimit - this.bufferPosition);
			System.arraycopy(this.buffer, this.bufferPosition, target, done, n);
			this.bufferPosition += n;
			done += n;
		}
	}

	private void skip(int length) throws IOException {
		for (int i = 0; i < length; i++) {
			readByte();
		}
	}

	private void skipZeroTerminated() throws IOException {
		while (readByte() != 0) {
			// a file name or a comment, of no use here
		}
	}

	private EOFException truncated() {
		return new EOFException("the gzip stream is truncated in member " + this.members);
	}

}
