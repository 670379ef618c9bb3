package io.coffer.pitr;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The threads every archiver of this instance shares, whatever their number: two that read and write the
 * connections (and never wait on a disk, the catalogue or storage), a few that do each archiver's work in order
 * ({@link SerialWork}: writing and syncing segments, acknowledging, sealing), a few that upload sealed segments
 * (storage's pace is not the durable marks'), one that writes the durable marks to the catalogue
 * ({@link DurableMarks}, never queued behind the archivers' work), and one per full synchronisation allowed at once
 * ({@link FullSyncTurns}) that ship their dumps, reading the bytes as the connection brings them.
 */
@Component
class PitrEventLoop implements DisposableBean {

	static final int IO_THREADS = 2;

	static final int WORKERS = 4;

	static final int UPLOADERS = 8;

	private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(IO_THREADS, threads("pitr-io"),
			NioIoHandler.newFactory());

	private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, threads("pitr-work"));

	private final ExecutorService uploaders = Executors.newFixedThreadPool(UPLOADERS, threads("pitr-upload"));

	private final ExecutorService marks = Executors.newSingleThreadExecutor(threads("pitr-marks"));

	private final ExecutorService shippers;

	/** One shipper per full synchronisation that may be under way: none waits for a thread with its dump unread. */
	PitrEventLoop(PitrProperties properties) {
		this.shippers = Executors.newFixedThreadPool(properties.maxConcurrentFullSyncs(), threads("pitr-base"));
	}

	EventLoopGroup io() {
		return this.io;
	}

	ExecutorService workers() {
		return this.workers;
	}

	/** Where sealed segments are uploaded, each archiver's one at a time. */
	ExecutorService uploaders() {
		return this.uploaders;
	}

	/** Where the durable marks are written to the catalogue. */
	ExecutorService marks() {
		return this.marks;
	}

	ExecutorService shippers() {
		return this.shippers;
	}

	@Override
	public void destroy() throws InterruptedException {
		this.io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
		this.shippers.shutdownNow();
		// an upload under way finishes (its segment is then recorded, and its end told to its archiver's work) or is
		// cut and tried again at the next start
		this.uploaders.shutdown();
		this.uploaders.awaitTermination(10, TimeUnit.SECONDS);
		this.workers.shutdown();
		this.workers.awaitTermination(10, TimeUnit.SECONDS);
		this.marks.shutdown();
		this.marks.awaitTermination(10, TimeUnit.SECONDS);
	}

	private static ThreadFactory threads(String name) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
