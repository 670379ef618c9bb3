package io.coffer.pitr;

import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one archiver, run in the order it was given on a pool shared by all archivers, one piece at a time:
 * what it touches needs no lock. A piece may answer a stage it waits for (a dump being shipped); the next pieces
 * wait for it too. The bytes the pieces carry are counted: above {@code highWater} the archiver is told to stop
 * reading its connection, below {@code lowWater} to read again, so that a slow disk or storage bounds its memory.
 */
final class SerialWork {

	private static final Logger log = LoggerFactory.getLogger(SerialWork.class);

	private record Piece(Supplier<CompletionStage<?>> task, long bytes) {
	}

	private final Executor executor;

	private final long highWater;

	private final long lowWater;

	private final Consumer<Boolean> readable;

	private final Queue<Piece> pieces = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean draining = new AtomicBoolean();

	private final AtomicLong pendingBytes = new AtomicLong();

	private final AtomicBoolean paused = new AtomicBoolean();

	SerialWork(Executor executor, long highWater, long lowWater, Consumer<Boolean> readable) {
		this.executor = executor;
		this.highWater = highWater;
		this.lowWater = lowWater;
		this.readable = readable;
	}

	void submit(Runnable task) {
		submit(task, 0);
	}

	/** A piece carrying {@code bytes} of the stream, counted until it has run. */
	void submit(Runnable task, long bytes) {
		submitWaiting(() -> {
			task.run();
			return null;
		}, bytes);
	}

	/** A piece that answers a stage (or null); the pieces after it run once it is complete. */
	void submitWaiting(Supplier<CompletionStage<?>> task, long bytes) {
		hold(bytes);
		this.pieces.add(new Piece(task, bytes));
		if (this.draining.compareAndSet(false, true)) {
			this.executor.execute(this::drain);
		}
	}

	/** Counts bytes held elsewhere for this archiver (a dump on its way to storage). */
	void hold(long bytes) {
		if (bytes != 0 && this.pendingBytes.addAndGet(bytes) > this.highWater && this.paused.compareAndSet(false, true)) {
			this.readable.accept(false);
		}
	}

	void release(long bytes) {
		if (bytes != 0 && this.pendingBytes.addAndGet(-bytes) < this.lowWater && this.paused.compareAndSet(true, false)) {
			this.readable.accept(true);
		}
	}

	long pendingBytes() {
		return this.pendingBytes.get();
	}

	private void drain() {
		while (true) {
			Piece piece = this.pieces.poll();
			if (piece == null) {
				this.draining.set(false);
				if (this.pieces.isEmpty() || !this.draining.compareAndSet(false, true)) {
					return;
				}
				continue;
			}
			CompletionStage<?> waitFor = null;
			try {
				waitFor = piece.task().get();
			}
			catch (RuntimeException | Error ex) {
				log.warn("Point-in-time recovery: a piece of an archiver's work failed", ex);
			}
			release(piece.bytes());
			if (waitFor != null && !waitFor.toCompletableFuture().isDone()) {
				// stays draining: nothing else of this archiver runs until the stage is complete
				waitFor.whenComplete((result, failure) -> this.executor.execute(this::drain));
				return;
			}
		}
	}

}
