package io.coffer.pipeline.rdb;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.ref.WeakReference;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Checks a Redis dump while it streams through, without buffering it: the bytes pass to the reader
 * as they arrive while {@link RdbParser} walks the whole structure (every opcode, type and encoding,
 * the CRC-64) and counts the keys. The magic ({@code REDIS} or {@code VALKEY}) and the version are checked as soon as
 * they arrive; the end of the stream (-1) is returned only once the whole dump parsed, otherwise the
 * read throws {@link InvalidRdbException} with the offset and what was wrong. Whoever must not act
 * on a bad dump (a restore target) holds back its last bytes until this stream has ended.
 * <p>
 * The parser is a plain pull parser running on a thread of its own ({@link RdbParseTask}), fed copies
 * of the bytes through a small pool of buffers (1 MiB in all): writing it as a resumable push parser
 * would turn every nested structure into an explicit state machine, and the second thread lets the
 * check run on another core than the compression and encryption it sits in front of, so a backup is
 * no slower for it. When the parser falls behind, the pool runs dry and the reader waits: memory stays bounded. A
 * refusal found by the parser surfaces on the reader's next read.
 */
public final class RdbCheckingInputStream extends FilterInputStream {

	private static final int HEADER_LENGTH = RdbHeader.LENGTH;

	private static final int CHUNK_SIZE = 128 * 1024;

	private static final int CHUNKS = 8;

	private final int maxRdbVersion;

	private final byte[] header = new byte[HEADER_LENGTH];

	private int headerBytes;

	private int rdbVersion = -1;

	private long length;

	private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);

	private final BlockingQueue<RdbParseTask.Chunk> full = new LinkedBlockingQueue<>();

	private final RdbParseTask.Outcome outcome = new RdbParseTask.Outcome();

	private byte[] current;

	private int currentLength;

	private boolean ended;

	private boolean verified;

	private IOException failure;

	/**
	 * @param maxRdbVersion the newest RDB version the target Redis can load
	 */
	public RdbCheckingInputStream(InputStream in, int maxRdbVersion) {
		this(in, maxRdbVersion, -1);
	}

	/**
	 * @param maxRdbVersion the newest RDB version the target Redis can load
	 * @param expectedLength the dump's announced length, or -1: when known, impossible lengths inside the
	 * dump are refused as soon as they are read
	 */
	public RdbCheckingInputStream(InputStream in, int maxRdbVersion, long expectedLength) {
		super(Objects.requireNonNull(in, "in"));
		this.maxRdbVersion = maxRdbVersion;
		for (int i = 0; i < CHUNKS; i++) {
			this.free.add(new byte[CHUNK_SIZE]);
		}
		this.current = this.free.poll();
		Thread parser = new Thread(new RdbParseTask(this.full, this.free, this.outcome, expectedLength, maxRdbVersion,
				new WeakReference<>(this)), "rdb-parser");
		parser.setDaemon(true);
		parser.start();
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n == -1) ? -1 : Byte.toUnsignedInt(one[0]);
	}

	@Override
	public int read(byte[] bytes, int offset, int count) throws IOException {
		Objects.checkFromIndexSize(offset, count, bytes.length);
		if (this.failure != null) {
			throw this.failure;
		}
		if (this.verified) {
			return -1;
		}
		if (count == 0) {
			return 0;
		}
		try {
			int n = this.in.read(bytes, offset, count);
			if (n == -1) {
				finish();
				return -1;
			}
			this.length += n;
			checkHeader(bytes, offset, n);
			feed(bytes, offset, n);
			IOException found = this.outcome.failure;
			if (found != null) {
				throw found;
			}
			return n;
		}
		catch (IOException ex) {
			fail(ex);
			throw ex;
		}
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

	@Override
	public void close() throws IOException {
		stopChecking();
		super.close();
	}

	/**
	 * Ends the parser's thread without closing the stream underneath, for a reader that gives up before
	 * the end (closing, or reading to the end, does it too).
	 */
	public void stopChecking() {
		if (!this.ended) {
			this.ended = true;
			this.full.add(RdbParseTask.ABORT);
		}
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

	/** Whether the end was reached and the whole dump parsed. */
	public boolean isVerified() {
		return this.verified;
	}

	/** What the parse learned: keys per database, aux fields. Only once {@link #isVerified()}. */
	public RdbSummary summary() {
		if (!this.verified) {
			throw new IllegalStateException("the dump has not been read to its end and found whole");
		}
		return this.outcome.summary;
	}

	private void feed(byte[] bytes, int offset, int count) throws IOException {
		int done = 0;
		while (done < count) {
			int chunk = Math.min(count - done, CHUNK_SIZE - this.currentLength);
			System.arraycopy(bytes, offset + done, this.current, this.currentLength, chunk);
			this.currentLength += chunk;
			done += chunk;
			if (this.currentLength == CHUNK_SIZE) {
				this.full.add(new RdbParseTask.Chunk(this.current, this.currentLength));
				this.current = null;
				this.currentLength = 0;
				try {
					// the parser gives buffers back as it consumes them, even after a refusal
					this.current = this.free.take();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new InterruptedIOException("interrupted while the dump was being checked");
				}
			}
		}
	}

	private void finish() throws IOException {
		if (this.length == 0) {
			throw new InvalidRdbException("dump is empty");
		}
		if (this.currentLength > 0) {
			this.full.add(new RdbParseTask.Chunk(this.current, this.currentLength));
			this.currentLength = 0;
		}
		this.ended = true;
		this.full.add(RdbParseTask.END);
		try {
			this.outcome.done.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while the dump was being checked");
		}
		if (this.outcome.failure != null) {
			throw this.outcome.failure;
		}
		this.verified = true;
	}

	private void fail(IOException ex) {
		this.failure = ex;
		if (!this.ended) {
			this.ended = true;
			this.full.add(RdbParseTask.ABORT);
		}
	}

	private void checkHeader(byte[] bytes, int offset, int count) throws InvalidRdbException {
		if (this.headerBytes >= HEADER_LENGTH) {
			return;
		}
		int headerChunk = Math.min(count, HEADER_LENGTH - this.headerBytes);
		System.arraycopy(bytes, offset, this.header, this.headerBytes, headerChunk);
		this.headerBytes += headerChunk;
		RdbHeader.checkStart(this.header, this.headerBytes);
		if (this.headerBytes < HEADER_LENGTH) {
			return;
		}
		int version = RdbHeader.version(this.header, this.maxRdbVersion);
		this.rdbVersion = version;
	}

}
