package io.coffer.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decrypts and authenticates an object like {@link DecryptingInputStream}, with the work spread out: a thread
 * of the stream's own reads the stored segments ahead (up to {@code readAhead} of them, the only buffers the
 * stream holds: about {@code readAhead} MiB), the {@link DecryptionPool} authenticates and decrypts them, several
 * at once, and the reader of this stream gets the plaintext in order, copied out of a segment already checked.
 * <p>
 * What fails, fails where it is: a segment that does not authenticate, a cut object, or storage that stops
 * answering is thrown when the read reaches that segment, after every byte before it and before any byte of it
 * (nothing of a segment is handed out before its tag was verified), and every read after it fails too.
 * {@link #close()} stops the read-ahead, drops the segments not yet read and closes the stored stream.
 */
public final class ParallelDecryptingInputStream extends InputStream {

	/** Segments read ahead per stream by default: the reader, the pool and the consumer each have work. */
	public static final int DEFAULT_READ_AHEAD = 4;

	private static final Logger log = LoggerFactory.getLogger(ParallelDecryptingInputStream.class);

	private static final int STORED_SEGMENT = ObjectHeader.SEGMENT_SIZE + KeyEncryptionKey.TAG_LENGTH;

	private static final AtomicInteger STREAMS = new AtomicInteger();

	private final InputStream stored;

	private final SegmentCipher cipher;

	private final DecryptionPool pool;

	/** Buffers not in use, each for one stored segment and then its plaintext, in place. */
	private final BlockingQueue<Segment> free;

	/** The segments read and being (or done being) decrypted, in order; at most {@code readAhead}. */
	private final BlockingQueue<Future<Segment>> pending;

	private final Thread reader;

	private final long firstSegment;

	private Segment current;

	private int position;

	private boolean lastSegmentRead;

	private volatile boolean closed;

	private IOException failure;

	private ParallelDecryptingInputStream(ObjectHeader header, long firstSegment, InputStream stored, Keyring keyring,
			DecryptionPool pool, int readAhead) throws IOException {
		if (readAhead < 1) {
			throw new IllegalArgumentException("read-ahead is at least one segment, not " + readAhead);
		}
		byte[] dataKey = header.unwrapDataKey(keyring);
		try {
			this.cipher = new SegmentCipher(dataKey, header);
		}
		finally {
			Arrays.fill(dataKey, (byte) 0);
		}
		this.stored = stored;
		this.pool = pool;
		this.firstSegment = firstSegment;
		this.free = new ArrayBlockingQueue<>(readAhead);
		for (int i = 0; i < readAhead; i++) {
			this.free.add(new Segment());
		}
		// one more place than buffers: the reader's failure can always be queued behind them
		this.pending = new ArrayBlockingQueue<>(readAhead + 1);
		this.reader = new Thread(this::readAhead, "decrypt-read-ahead-" + STREAMS.incrementAndGet());
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Reads the header from {@code stored} and unwraps the data key with the KEK it names.
	 * @throws UnknownKeyException if that KEK is not in the keyring
	 * @throws IntegrityException if the header does not authenticate
	 */
	public static ParallelDecryptingInputStream of(InputStream stored, Keyring keyring, DecryptionPool pool)
			throws IOException {
		return new ParallelDecryptingInputStream(ObjectHeader.read(stored), 0, stored, keyring, pool,
				DEFAULT_READ_AHEAD);
	}

	/**
	 * Decrypts from segment {@code segmentIndex} on, like {@link DecryptingInputStream#fromSegment}:
	 * {@code atSegment} starts at {@link EncryptedLayout#storedOffsetOfSegment} and runs to the end of the object.
	 */
	public static ParallelDecryptingInputStream fromSegment(ObjectHeader header, long segmentIndex,
			InputStream atSegment, Keyring keyring, DecryptionPool pool, int readAhead) throws IOException {
		Objects.requireNonNull(header, "header");
		Objects.requireNonNull(pool, "pool");
		if (segmentIndex < 0 || segmentIndex >= SegmentCipher.MAX_SEGMENTS) {
			throw new IllegalArgumentException("segment index " + segmentIndex + " is out of range");
		}
		return new ParallelDecryptingInputStream(header, segmentIndex, atSegment, keyring, pool, readAhead);
	}

	/** The reader's thread: stored segments into free buffers, each handed to the pool as soon as it is whole. */
	private void readAhead() {
		long index = this.firstSegment;
		int peeked = -1;
		try {
			while (!this.closed) {
				Segment segment = this.free.take();
				int length = 0;
				if (peeked >= 0) {
					segment.bytes[length++] = (byte) peeked;
				}
				length += this.stored.readNBytes(segment.bytes, length, STORED_SEGMENT - length);
				// the last segment is the one the object ends after
				peeked = (length == STORED_SEGMENT) ? this.stored.read() : -1;
				boolean last = peeked == -1;
				long segmentIndex = index++;
				int storedLength = length;
				this.pending.put(this.pool.submit(() -> decrypt(segment, segmentIndex, last, storedLength)));
				if (last) {
					return;
				}
			}
		}
		catch (InterruptedException ex) {
			// closed
		}
		catch (IOException | RuntimeException ex) {
			if (this.closed) {
				log.debug("Read-ahead of a closed stream ended: {}", ex.getMessage());
				return;
			}
			// there is always room for it: it takes the place of a segment not read
			this.pending.offer(CompletableFuture.failedFuture(ex));
		}
	}

	private Segment decrypt(Segment segment, long index, boolean last, int length) throws IntegrityException {
		if (this.closed) {
			return segment;
		}
		segment.length = this.cipher.decrypt(index, last, segment.bytes, length, segment.bytes, this.pool.workspace());
		segment.last = last;
		return segment;
	}

	@Override
	public int read() throws IOException {
		if (!fill()) {
			return -1;
		}
		return Byte.toUnsignedInt(this.current.bytes[this.position++]);
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
		int chunk = Math.min(length, this.current.length - this.position);
		System.arraycopy(this.current.bytes, this.position, bytes, offset, chunk);
		this.position += chunk;
		return chunk;
	}

	@Override
	public int available() {
		return (this.current != null) ? this.current.length - this.position : 0;
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
		while (this.current == null || this.position == this.current.length) {
			if (this.current != null) {
				release(this.current);
				this.current = null;
			}
			if (this.lastSegmentRead) {
				return false;
			}
			this.current = next();
			this.position = 0;
			this.lastSegmentRead = this.current.last;
		}
		return true;
	}

	private Segment next() throws IOException {
		try {
			return this.pending.take().get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while waiting for a segment to be decrypted");
		}
		catch (ExecutionException ex) {
			this.failure = asIOException(ex.getCause());
			throw this.failure;
		}
		catch (CancellationException ex) {
			this.failure = new IOException("decrypting stream is closed", ex);
			throw this.failure;
		}
	}

	private static IOException asIOException(Throwable cause) {
		if (cause instanceof IOException io) {
			return io;
		}
		if (cause instanceof UncheckedIOException unchecked) {
			return unchecked.getCause();
		}
		if (cause instanceof RuntimeException runtime) {
			throw runtime;
		}
		if (cause instanceof Error error) {
			throw error;
		}
		return new IOException(cause);
	}

	private void release(Segment segment) {
		segment.length = 0;
		segment.last = false;
		this.free.offer(segment);
	}

	/**
	 * Stops the read-ahead and waits for its thread to end (the stored stream is closed under it, which ends a
	 * read that storage keeps waiting), so that a closed stream leaves no thread and no buffer behind.
	 */
	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.reader.interrupt();
		Future<Segment> queued;
		while ((queued = this.pending.poll()) != null) {
			queued.cancel(false);
		}
		try {
			this.stored.close();
		}
		finally {
			try {
				this.reader.join(TimeUnit.SECONDS.toMillis(10));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			if (this.current != null) {
				Arrays.fill(this.current.bytes, (byte) 0);
				this.current = null;
			}
			this.free.clear();
		}
	}

	/** Whether the read-ahead thread still runs. */
	boolean readingAhead() {
		return this.reader.isAlive();
	}

	/** A buffer of one stored segment, decrypted in place: its first {@code length} bytes are then plaintext. */
	private static final class Segment {

		private final byte[] bytes = new byte[STORED_SEGMENT];

		private int length;

		private boolean last;

	}

}
