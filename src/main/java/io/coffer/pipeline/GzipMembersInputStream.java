// Longer than 400 lines because both kinds of members, those inflated on the pool and those streamed, share
// the header parsing and the input buffer, which only the reader's thread touches.
package io.coffer.pipeline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * are served only after its CRC-32 and ISIZE matched. Such members are independent, so they are
 * inflated on a pool of one thread per core shared by every stream, up to {@link #READ_AHEAD} of them
 * (and {@link #READ_AHEAD_BYTES}) ahead of the reader, and served in order. Any other member (an
 * import, an archive of an older Coffer, one of {@code gzip} or {@code pigz}) streams through
 * {@code java.util.zip} on the reader's thread, its CRC-32 and ISIZE checked at its end.
 * Truncation, corruption, and anything but gzip after a member fail the read with an
 * {@link IOException} that says which member, once every byte before that member was served.
 */
public final class GzipMembersInputStream extends InputStream {

	/** Larger recorded sizes are not trusted with a buffer: such a member streams instead. */
	static final int MAX_INDEXED_SIZE = 64 * 1024 * 1024;

	/** Members inflated ahead of the reader at most: enough to keep every core busy. */
	static final int READ_AHEAD = 4;

	/** Plain and deflated bytes held ahead of the reader at most (one member always, whatever its size). */
	static final int READ_AHEAD_BYTES = 16 * 1024 * 1024;

	private static final int BUFFER_SIZE = 64 * 1024;

	private static final ExecutorService INFLATERS = Executors.newFixedThreadPool(
			Runtime.getRuntime().availableProcessors(), ParallelGzipOutputStream.daemonThreads("coffer-inflate"));

	private final InputStream in;

	private final DeflateLibrary library;

	private final byte[] buffer = new byte[BUFFER_SIZE];

	private int bufferPosition;

	private int bufferLimit;

	/** The library's inflaters that no member uses now, closed with the stream. */
	private final PooledInflaters inflaters;

	/** Members read and handed to the pool, oldest first; a failure to read the next one ends it. */
	private final ArrayDeque<Pending> ahead = new ArrayDeque<>();

	/** Bytes of the members in {@link #ahead} and of the one served. */
	private long aheadBytes;

	/** Arrays of served members, for the next ones: the reader's thread alone takes and gives them. */
	private final ArrayDeque<byte[]> sparePlain = new ArrayDeque<>();

	private final ArrayDeque<byte[]> spareDeflated = new ArrayDeque<>();

	/** The member served now, whose arrays go back to {@link #spare} once it is. */
	private Inflated serving;

	/** The header of a member without sizes was read: it streams once the members before it were served. */
	private boolean streamingNext;

	/** The end of the compressed stream was read. */
	private boolean sourceEnded;

	private byte[] plain = new byte[0];

	private int plainPosition;

	private int plainLimit;

	/** Whether a member is being streamed through {@link #streamingInflater}. */
	private boolean streaming;

	private Inflater streamingInflater;

	/** Where a streamed member's bytes are inflated to. */
	private byte[] streamed;

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
		this.inflaters = new PooledInflaters(library);
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
				nextBlock();
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
		for (Pending pending : this.ahead) {
			if (pending.inflated() != null) {
				pending.inflated().cancel(false);
			}
		}
		this.ahead.clear();
		this.inflaters.close();
		if (this.streamingInflater != null) {
			this.streamingInflater.end();
			this.streamingInflater = null;
		}
	}

	/**
	 * Serves the next member in order: the oldest one handed to the pool, once inflated and checked; or
	 * the member without sizes whose header was read, streamed; or the end.
	 */
	private void nextBlock() throws IOException {
		if (this.serving != null) {
			this.aheadBytes -= this.serving.bytes();
			this.sparePlain.push(this.serving.plain());
			this.serving = null;
		}
		readAhead();
		Pending next = this.ahead.poll();
		if (next != null) {
			if (next.failure() != null) {
				throw next.failure();
			}
			Inflated member = await(next.inflated());
			this.spareDeflated.push(member.deflated());
			this.serving = member;
			this.plain = member.plain();
			this.plainPosition = 0;
			this.plainLimit = member.length();
			return;
		}
		if (this.streamingNext) {
			this.streamingNext = false;
			startStreaming();
			return;
		}
		this.ended = true;
		// callers that read to the end but never close (a reader under a tar stream) free them here
		releaseInflaters();
	}

	private static Inflated await(Future<Inflated> inflated) throws IOException {
		try {
			return inflated.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while a gzip member was inflated");
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof UncheckedZipException zip) {
				throw zip.getCause();
			}
			throw new IOException(ex.getCause().getMessage(), ex.getCause());
		}
	}

	/**
	 * Reads members and hands them to the pool while there is room ahead, up to the end, a member without
	 * sizes, or a failure, which is kept in order: the members before it are served first.
	 */
	private void readAhead() {
		while (!this.sourceEnded && !this.streamingNext && this.ahead.size() < READ_AHEAD
				&& (this.ahead.isEmpty() || this.aheadBytes < READ_AHEAD_BYTES)
				&& (this.ahead.isEmpty() || this.ahead.peekLast().failure() == null)) {
			try {
				nextMember();
			}
			catch (IOException ex) {
				this.ahead.add(new Pending(null, ex));
			}
		}
	}

	private void nextMember() throws IOException {
		int first = readByteOrEnd();
		if (first < 0) {
			if (this.members == 0) {
				throw new EOFException("the gzip stream is empty");
			}
			this.sourceEnded = true;
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
			this.streamingNext = true;
		}
	}

	/** A member of known sizes: read whole with its trailer, then inflated and checked on the pool. */
	private void inflateWhole(int deflatedLength, int plainLength) throws IOException {
		byte[] deflated = spareArray(this.spareDeflated, deflatedLength);
		readFully(deflated, deflatedLength);
		byte[] trailer = new byte[GzipFormat.TRAILER_LENGTH];
		readFully(trailer, trailer.length);
		byte[] plain = spareArray(this.sparePlain, plainLength);
		long member = this.members;
		PooledInflaters inflaters = this.inflaters;
		this.aheadBytes += deflated.length + plain.length;
		this.ahead.add(new Pending(CompletableFuture.supplyAsync(() -> {
			BlockInflater inflater = inflaters.borrow();
			try {
				inflater.inflate(deflated, deflatedLength, plain, plainLength);
			}
			catch (DataFormatException ex) {
				throw new UncheckedZipException(new ZipException("gzip member " + member + " is corrupt: "
						+ ex.getMessage()));
			}
			finally {
				inflaters.giveBack(inflater);
			}
			CRC32 crc = new CRC32();
			crc.update(plain, 0, plainLength);
			try {
				checkTrailer(member, trailer, crc, plainLength);
			}
			catch (ZipException ex) {
				throw new UncheckedZipException(ex);
			}
			return new Inflated(plain, plainLength, deflated, deflated.length + plain.length);
		}, INFLATERS), null));
	}

	/** An array of at least {@code length} bytes, a served member's when it is large enough. */
	private static byte[] spareArray(ArrayDeque<byte[]> spare, int length) {
		byte[] array = spare.poll();
		return (array != null && array.length >= length) ? array : new byte[length];
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
		if (this.streamed == null) {
			this.streamed = new byte[BUFFER_SIZE];
		}
		this.plain = this.streamed;
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
		checkTrailer(this.members, trailer, this.crc, plainLength);
	}

	private static void checkTrailer(long member, byte[] trailer, CRC32 crc, long plainLength) throws ZipException {
		int expectedCrc = GzipFormat.readIntLittleEndian(trailer, 0);
		int expectedLength = GzipFormat.readIntLittleEndian(trailer, 4);
		if (expectedCrc != (int) crc.getValue()) {
			throw new ZipException("gzip member " + member + " is corrupt: its CRC-32 does not match");
		}
		if (expectedLength != (int) plainLength) {
			throw new ZipException("gzip member " + member + " is corrupt: it holds " + plainLength
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

	/** A member handed to the pool, or the failure to read the next one. */
	private record Pending(Future<Inflated> inflated, IOException failure) {
	}

	/** A member inflated and checked: {@code plain[0, length)}; its arrays and the bytes they hold. */
	private record Inflated(byte[] plain, int length, byte[] deflated, long bytes) {
	}

	/** Carries a member's failure out of the pool's task. */
	private static final class UncheckedZipException extends RuntimeException {

		UncheckedZipException(ZipException cause) {
			super(cause);
		}

		@Override
		public synchronized ZipException getCause() {
			return (ZipException) super.getCause();
		}

	}

}
