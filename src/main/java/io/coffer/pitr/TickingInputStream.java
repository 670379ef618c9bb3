package io.coffer.pitr;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The socket's stream, read with a short socket timeout, so that the one thread reading it also does the
 * work due every second ({@link Tick}) whether the node sends much, little or nothing; a node silent for longer
 * than {@code silenceLimit} fails the read.
 */
final class TickingInputStream extends FilterInputStream {

	interface Tick {

		void run() throws IOException;

	}

	private final Tick tick;

	private final long silenceLimitMillis;

	private final String node;

	private long lastTick = System.nanoTime();

	private long lastByte = System.nanoTime();

	TickingInputStream(InputStream in, Tick tick, Duration silenceLimit, String node) {
		super(in);
		this.tick = tick;
		this.silenceLimitMillis = silenceLimit.toMillis();
		this.node = node;
	}

	@Override
	public int read() throws IOException {
		while (true) {
			tickIfDue();
			try {
				int next = this.in.read();
				this.lastByte = System.nanoTime();
				return next;
			}
			catch (SocketTimeoutException ex) {
				silent();
			}
		}
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		while (true) {
			tickIfDue();
			try {
				int count = this.in.read(buffer, offset, length);
				this.lastByte = System.nanoTime();
				return count;
			}
			catch (SocketTimeoutException ex) {
				silent();
			}
		}
	}

	private void silent() throws IOException {
		if ((System.nanoTime() - this.lastByte) / 1_000_000 > this.silenceLimitMillis) {
			throw new SocketTimeoutException("Redis at " + this.node + " sent nothing for "
					+ this.silenceLimitMillis / 1000 + " s");
		}
	}

	private void tickIfDue() throws IOException {
		if (System.nanoTime() - this.lastTick >= 1_000_000_000L) {
			this.lastTick = System.nanoTime();
			this.tick.run();
		}
	}

}
