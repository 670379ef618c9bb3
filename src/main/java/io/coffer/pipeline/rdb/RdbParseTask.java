package io.coffer.pipeline.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.ref.WeakReference;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The parser thread of {@link RdbCheckingInputStream}: {@link RdbParser} pulls the chunks the reader
 * hands over as one stream, and each buffer goes back to the pool once consumed, even after a refusal,
 * so that the reader never waits for a buffer that will not come back. It holds the stream only
 * weakly, so that a stream dropped without being closed or read to its end does not keep the thread
 * waiting forever.
 */
final class RdbParseTask implements Runnable {

	/** After the last chunk of a dump read to its end. */
	static final Chunk END = new Chunk(new byte[0], 0);

	/** After the last chunk of a dump given up before its end. */
	static final Chunk ABORT = new Chunk(new byte[0], 0);

	private final BlockingQueue<Chunk> full;

	private final BlockingQueue<byte[]> free;

	private final Outcome outcome;

	private final long expectedLength;

	private final int maxRdbVersion;

	private final WeakReference<RdbCheckingInputStream> owner;

	private boolean sawEnd;

	RdbParseTask(BlockingQueue<Chunk> full, BlockingQueue<byte[]> free, Outcome outcome, long expectedLength,
			int maxRdbVersion, WeakReference<RdbCheckingInputStream> owner) {
		this.full = full;
		this.free = free;
		this.outcome = outcome;
		this.expectedLength = expectedLength;
		this.maxRdbVersion = maxRdbVersion;
		this.owner = owner;
	}

	@Override
	public void run() {
		Feed feed = new Feed();
		try {
			this.outcome.summary = RdbParser.parse(feed, this.expectedLength, this.maxRdbVersion);
		}
		catch (IOException ex) {
			this.outcome.failure = ex;
		}
		catch (RuntimeException | Error ex) {
			this.outcome.failure = new IOException("the dump could not be checked: " + ex, ex);
		}
		finally {
			this.outcome.done.countDown();
			feed.drain();
		}
	}

	private Chunk next() throws IOException {
		while (true) {
			try {
				Chunk chunk = this.full.poll(10, TimeUnit.SECONDS);
				if (chunk != null) {
					return chunk;
				}
			}
			catch (InterruptedException ex) {
				throw new InterruptedIOException("the dump check was interrupted");
			}
			if (this.owner.get() == null) {
				throw new InterruptedIOException("the dump was abandoned before its end");
			}
		}
	}

	/** The chunks as one stream, each buffer handed back once consumed. */
	private final class Feed extends InputStream {

		private Chunk chunk;

		private int position;

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) == -1) ? -1 : one[0] & 0xff;
		}

		@Override
		public int read(byte[] bytes, int offset, int count) throws IOException {
			if (RdbParseTask.this.sawEnd) {
				return -1;
			}
			while (this.chunk == null) {
				Chunk next = next();
				if (next == END || next == ABORT) {
					RdbParseTask.this.sawEnd = true;
					if (next == ABORT) {
						throw new InterruptedIOException("the dump was abandoned before its end");
					}
					return -1;
				}
				this.chunk = next;
				this.position = 0;
			}
			int n = Math.min(count, this.chunk.length() - this.position);
			System.arraycopy(this.chunk.bytes(), this.position, bytes, offset, n);
			this.position += n;
			if (this.position == this.chunk.length()) {
				RdbParseTask.this.free.offer(this.chunk.bytes());
				this.chunk = null;
			}
			return n;
		}

		/** After the parse: gives every remaining buffer back until the reader ends the stream. */
		void drain() {
			if (this.chunk != null) {
				RdbParseTask.this.free.offer(this.chunk.bytes());
				this.chunk = null;
			}
			try {
				while (!RdbParseTask.this.sawEnd) {
					Chunk next = next();
					if (next == END || next == ABORT) {
						RdbParseTask.this.sawEnd = true;
					}
					else {
						RdbParseTask.this.free.offer(next.bytes());
					}
				}
			}
			catch (IOException ex) {
				// abandoned: nothing left to give back to
			}
		}

	}

	/** Bytes the reader copied, {@code length} of them at the start of {@code bytes}. */
	record Chunk(byte[] bytes, int length) {
	}

	/** What the parser thread found, published to the reader. */
	static final class Outcome {

		final CountDownLatch done = new CountDownLatch(1);

		volatile IOException failure;

		volatile RdbSummary summary;

	}

}
