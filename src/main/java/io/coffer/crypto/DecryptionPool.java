package io.coffer.crypto;

import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

/**
 * The threads that authenticate and decrypt segments for every {@link ParallelDecryptingInputStream} of the
 * service: one per core, shared by all downloads, restores and drills, so that many reads at once cost no more
 * threads and no more cipher buffers than one. Each thread keeps its own cipher and direct buffers (2 MiB).
 * The queue holds at most each stream's read-ahead, so it stays bounded by the streams open. Daemon threads,
 * stopped when the application context closes.
 */
@Component
public final class DecryptionPool implements AutoCloseable {

	private static final AtomicInteger POOLS = new AtomicInteger();

	private final ThreadPoolExecutor executor;

	private final ThreadLocal<SegmentCipher.Workspace> workspaces = ThreadLocal.withInitial(SegmentCipher.Workspace::new);

	/** One thread per core. */
	public DecryptionPool() {
		this(Runtime.getRuntime().availableProcessors());
	}

	public DecryptionPool(int threads) {
		if (threads < 1) {
			throw new IllegalArgumentException("a decryption pool needs at least one thread, not " + threads);
		}
		int pool = POOLS.incrementAndGet();
		AtomicInteger count = new AtomicInteger();
		this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				(task) -> {
					Thread thread = new Thread(task, "decrypt-" + pool + "-" + count.incrementAndGet());
					thread.setDaemon(true);
					return thread;
				});
		// idle threads go away, and their buffers with them
		this.executor.allowCoreThreadTimeOut(true);
	}

	<T> Future<T> submit(Callable<T> task) {
		return this.executor.submit(task);
	}

	/** The calling pool thread's cipher and buffers. */
	SegmentCipher.Workspace workspace() {
		return this.workspaces.get();
	}

	/** Threads of this pool alive now (idle ones end after 30 s). */
	public int threads() {
		return this.executor.getPoolSize();
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
