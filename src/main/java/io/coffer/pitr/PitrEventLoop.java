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
 * ({@link SerialWork}: writing and syncing segments, acknowledging, uploading), and one per full synchronisation
 * allowed at once ({@link FullSyncTurns}) that ship their dumps, reading the bytes as the connection brings them.
 */
@Component
class PitrEventLoop implements DisposableBean {

	static final int IO_THREADS = 2;

	static final int WORKERS = 4;

	private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(IO_THREADS, threads("pitr-io"),
			NioIoHandler.newFactory());

	private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, threads("pitr-work"));

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

	ExecutorService shippers() {
		return this.shippers;
	}

	@Override
	public void destroy() throws InterruptedException {
		this.io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
		this.shippers.shutdownNow();
		this.workers.shutdown();
		this.workers.awaitTermination(10, TimeUnit.SECONDS);
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
