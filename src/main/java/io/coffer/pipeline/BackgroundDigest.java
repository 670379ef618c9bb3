package io.coffer.pipeline;

import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SHA-256 computed on a thread of its own, so that a copy loop that must digest what it moves (a download
 * checked against its ETag, an archive checked against the catalogue) is not slowed by it: {@link #update}
 * copies the bytes into one of a few buffers and returns, the digest thread consumes them in order.
 * Memory: {@code buffers × bufferSize}. One writer thread at a time; {@link #hex()} waits for what was given.
 */
public final class BackgroundDigest implements AutoCloseable {

	private static final AtomicInteger THREADS = new AtomicInteger();

	/** A buffer with no bytes: the digest thread's sign to stop. */
	private static final Chunk END = new Chunk(0);

	private final MessageDigest sha256;

	private final BlockingQueue<Chunk> free;

	private final BlockingQueue<Chunk> full;

	private final Thread thread;

	private final int bufferSize;

	private Chunk filling;

	private volatile String hex;

	private volatile RuntimeException failure;

	private boolean finished;

	public BackgroundDigest(int buffers, int bufferSize) {
		if (buffers < 1 || bufferSize < 1) {
			throw new IllegalArgumentException("a background digest needs at least one buffer of at least one byte");
		}
		try {
			this.sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available in this JVM", ex);
		}
		this.bufferSize = bufferSize;
		this.free = new ArrayBlockingQueue<>(buffers);
		for (int i = 0; i < buffers; i++) {
			this.free.add(new Chunk(bufferSize));
		}
		this.full = new ArrayBlockingQueue<>(buffers + 1);
		this.thread = new Thread(this::digest, "sha256-" + THREADS.incrementAndGet());
		this.thread.setDaemon(true);
		this.thread.start();
	}

	/** Four buffers of 256 KiB. */
	public BackgroundDigest() {
		this(4, 256 * 1024);
	}

	private void digest() {
		try {
			while (true) {
				Chunk chunk = this.full.take();
				if (chunk == END) {
					this.hex = HexFormat.of().formatHex(this.sha256.digest());
					return;
				}
				this.sha256.update(chunk.bytes, 0, chunk.length);
				chunk.length = 0;
				this.free.put(chunk);
			}
		}
		catch (InterruptedException ex) {
			// closed before the end
		}
		catch (RuntimeException ex) {
			this.failure = ex;
		}
	}

	/** Adds bytes to the digest; blocks only while every buffer waits to be digested. */
	public void update(byte[] bytes, int offset, int length) throws InterruptedIOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		if (this.finished) {
			throw new IllegalStateException("the digest is finished");
		}
		while (length > 0) {
			if (this.filling == null) {
				this.filling = take();
			}
			int chunk = Math.min(length, this.bufferSize - this.filling.length);
			System.arraycopy(bytes, offset, this.filling.bytes, this.filling.length, chunk);
			this.filling.length += chunk;
			offset += chunk;
			length -= chunk;
			if (this.filling.length == this.bufferSize) {
				hand(this.filling);
				this.filling = null;
			}
		}
	}

	/** The SHA-256 of every byte given, in lowercase hex, once the digest thread got through them. */
	public String hex() throws InterruptedIOException {
		if (!this.finished) {
			this.finished = true;
			if (this.filling != null) {
				hand(this.filling);
				this.filling = null;
			}
			hand(END);
		}
		try {
			this.thread.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while waiting for the SHA-256");
		}
		if (this.failure != null) {
			throw this.failure;
		}
		return this.hex;
	}

	private Chunk take() throws InterruptedIOException {
		try {
			while (true) {
				Chunk chunk = this.free.poll(100, TimeUnit.MILLISECONDS);
				if (chunk != null) {
					return chunk;
				}
				if (this.failure != null) {
					throw this.failure;
				}
				if (!this.thread.isAlive()) {
					throw new IllegalStateException("the digest was closed");
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while waiting for the SHA-256");
		}
	}

	private void hand(Chunk chunk) throws InterruptedIOException {
		if (this.failure != null) {
			throw this.failure;
		}
		try {
			this.full.put(chunk);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while waiting for the SHA-256");
		}
	}

	/** Stops the digest thread, finished or not. */
	@Override
	public void close() {
		this.finished = true;
		this.thread.interrupt();
	}

	private static final class Chunk {

		private final byte[] bytes;

		private int length;

		Chunk(int size) {
			this.bytes = new byte[size];
		}

	}

}
