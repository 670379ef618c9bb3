package io.coffer.pitr;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The dump's bytes as the connection brings them, read by the thread that ships it; what waits here is counted
 * in the archiver's work, so that the connection stops being read while storage is slower than the node.
 */
final class DumpStream extends InputStream {

	private static final byte[] END = new byte[0];

	private final SerialWork accounting;

	private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();

	private volatile IOException failure;

	private byte[] current;

	private int at;

	private boolean ended;

	DumpStream(SerialWork accounting) {
		this.accounting = accounting;
	}

	void offer(byte[] chunk) {
		this.accounting.hold(chunk.length);
		this.chunks.add(chunk);
	}

	void end() {
		this.chunks.add(END);
	}

	/** The reader gets {@code cause}; what waited here is no longer counted. */
	void fail(IOException cause) {
		this.failure = cause;
		for (byte[] chunk = this.chunks.poll(); chunk != null; chunk = this.chunks.poll()) {
			this.accounting.release(chunk.length);
		}
		this.chunks.add(END);
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) == -1) ? -1 : one[0] & 0xff;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		if (length == 0) {
			return 0;
		}
		while (this.current == null || this.at == this.current.length) {
			if (this.current != null) {
				this.accounting.release(this.current.length);
				this.current = null;
			}
			if (this.ended) {
				return -1;
			}
			byte[] next;
			try {
				next = this.chunks.take();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new java.io.InterruptedIOException("the dump was not read whole");
			}
			if (next == END) {
				if (this.failure != null) {
					throw this.failure;
				}
				this.ended = true;
				return -1;
			}
			this.current = next;
			this.at = 0;
		}
		int count = Math.min(length, this.current.length - this.at);
		System.arraycopy(this.current, this.at, buffer, offset, count);
		this.at += count;
		return count;
	}

}
