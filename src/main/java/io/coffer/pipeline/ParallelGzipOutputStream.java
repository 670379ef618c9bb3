package io.coffer.pipeline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import io.coffer.pipeline.DeflateLibrary.BlockDeflater;

/**
 * Gzip on several cores: the input is cut into blocks, each compressed on a thread pool as
 * an independent gzip member (own header, CRC-32 and size), and the members are written in
 * order. Any gzip reader reads the concatenation as one stream (RFC 1952, section 2.2). The
 * deflate library is the one {@link DeflateLibraries} chose (ISA-L, libdeflate or zlib); each
 * member's header records its sizes ({@link GzipFormat}) for {@link GzipMembersInputStream}.
 * <p>
 * Memory is bounded: the writer waits once {@code 2 × threads} blocks are in flight. A
 * failure of a worker is thrown to the writer by its next {@code write} or {@code close}.
 * {@link #close()} writes what remains, closes {@code out} and stops the threads.
 */
public final class ParallelGzipOutputStream extends OutputStream {

	public static final int DEFAULT_BLOCK_SIZE = 1 << 20;

	private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

	private final OutputStream out;

	private final int blockSize;

	private final int maxInFlight;

	/** Bytes of each sample that decides whether a block is worth deflating. */
	private static final int SAMPLE_SIZE = 16 * 1024;

	private final BlockCompressor compressor;

	private final ExecutorService workers;

	private final Queue<Future<byte[]>> inFlight = new ArrayDeque<>();

	private byte[] block;

	private int filled;

	private boolean anyBlockSubmitted;

	private IOException failure;

	private boolean closed;

	public ParallelGzipOutputStream(OutputStream out, int level, int threads) {
		this(out, level, threads, DEFAULT_BLOCK_SIZE);
	}

	/**
	 * Compresses with the library {@link DeflateLibraries} chose.
	 * @param level a gzip level, -1 (default) or 0 to 9
	 */
	public ParallelGzipOutputStream(OutputStream out, int level, int threads, int blockSize) {
		this(out, DeflateLibraries.active(), level, threads, blockSize);
	}

	/**
	 * @param library the deflate library that compresses the members
	 * @param level a gzip level, -1 (default) or 0 to 9, which the library maps onto its own
	 */
	public ParallelGzipOutputStream(OutputStream out, DeflateLibrary library, int level, int threads, int blockSize) {
		this(out, threads, blockSize, new MemberCompressor(library, level));
	}

	ParallelGzipOutputStream(OutputStream out, int threads, int blockSize, BlockCompressor compressor) {
		if (threads < 1) {
			throw new IllegalArgumentException("threads must be at least 1, not " + threads);
		}
		if (blockSize < 1) {
			throw new IllegalArgumentException("block size must be at least 1, not " + blockSize);
		}
		this.out = Objects.requireNonNull(out, "out");
		this.blockSize = blockSize;
		this.maxInFlight = 2 * threads;
		this.compressor = compressor;
		this.block = new byte[blockSize];
		this.workers = Executors.newFixedThreadPool(threads, daemonThreads("coffer-gzip-" + POOL_NUMBER.incrementAndGet()));
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		ensureUsable();
		while (length > 0) {
			int chunk = Math.min(length, this.blockSize - this.filled);
			System.arraycopy(bytes, offset, this.block, this.filled, chunk);
			this.filled += chunk;
			offset += chunk;
			length -= chunk;
			if (this.filled == this.blockSize) {
				submitBlock();
			}
		}
	}

	/**
	 * Writes the members that are already compressed; a partial block stays buffered, so
	 * that members keep their full size.
	 */
	@Override
	public void flush() throws IOException {
		ensureUsable();
		guarded(() -> {
			while (!this.inFlight.isEmpty() && this.inFlight.peek().isDone()) {
				writeOldest();
			}
			this.out.flush();
		});
	}

	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			if (this.failure != null) {
				// a new exception: try-with-resources adds it to the one already thrown
				throw new IOException("gzip stream failed earlier: " + this.failure.getMessage(), this.failure);
			}
			// an empty input still becomes one (empty) member: a gzip file has at least one
			if (this.filled > 0 || !this.anyBlockSubmitted) {
				submitBlock();
			}
			guarded(() -> {
				while (!this.inFlight.isEmpty()) {
					writeOldest();
				}
				this.out.flush();
			});
		}
		finally {
			this.workers.shutdownNow();
			this.compressor.close();
			this.out.close();
		}
	}

	private void submitBlock() throws IOException {
		guarded(() -> {
			while (this.inFlight.size() >= this.maxInFlight
					|| (!this.inFlight.isEmpty() && this.inFlight.peek().isDone())) {
				writeOldest();
			}
			byte[] full = this.block;
			int length = this.filled;
			this.inFlight.add(this.workers.submit(() -> this.compressor.compress(full, length)));
			this.anyBlockSubmitted = true;
			this.block = new byte[this.blockSize];
			this.filled = 0;
		});
	}

	private void writeOldest() throws IOException {
		byte[] member;
		try {
			member = this.inFlight.remove().get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("interrupted while waiting for gzip compression");
		}
		catch (ExecutionException ex) {
			throw new IOException("gzip compression failed: " + ex.getCause(), ex.getCause());
		}
		this.out.write(member);
	}

	/** Runs an action; after its failure the stream refuses any further use. */
	private void guarded(IoAction action) throws IOException {
		try {
			action.run();
		}
		catch (IOException | RuntimeException ex) {
			this.failure = (ex instanceof IOException io) ? io : new IOException(ex.getMessage(), ex);
			this.inFlight.forEach((future) -> future.cancel(true));
			this.inFlight.clear();
			this.workers.shutdownNow();
			throw ex;
		}
	}

	private void ensureUsable() throws IOException {
		if (this.closed) {
			throw new IOException("gzip stream is closed");
		}
		if (this.failure != null) {
			throw new IOException("gzip stream failed earlier: " + this.failure.getMessage(), this.failure);
		}
	}

	/** Threads that do not keep the JVM alive, named {@code prefix-1}, {@code prefix-2}… */
	static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger number = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + "-" + number.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/** Gzip members compressed by the library {@link DeflateLibraries} chose. */
	static BlockCompressor gzipMember(int level) {
		return new MemberCompressor(DeflateLibraries.active(), level);
	}

	/**
	 * Whether samples from the start, middle and end of the block do not shrink at the fastest
	 * level of zlib. Such a block (random bytes, or values Redis already compressed) is stored as
	 * it is: deflating it would spend most of a backup's CPU to save nothing.
	 */
	static boolean looksIncompressible(byte[] block, int length) throws IOException {
		try (BlockDeflater probe = ZlibLibrary.newDeflaterAtLevel(Deflater.BEST_SPEED)) {
			return looksIncompressible(block, length, probe);
		}
	}

	/** The same, with the deflater that would compress the block: ISA-L's costs far less than zlib's. */
	static boolean looksIncompressible(byte[] block, int length, BlockDeflater probe) throws IOException {
		if (length < 4 * SAMPLE_SIZE) {
			return false;
		}
		byte[] sample = new byte[SAMPLE_SIZE];
		byte[] sink = new byte[probe.maxDeflatedSize(SAMPLE_SIZE)];
		long compressed = 0;
		for (int offset : new int[] { 0, (length - SAMPLE_SIZE) / 2, length - SAMPLE_SIZE }) {
			System.arraycopy(block, offset, sample, 0, SAMPLE_SIZE);
			compressed += probe.deflate(sample, SAMPLE_SIZE, sink, 0);
		}
		return compressed >= 3L * SAMPLE_SIZE * 97 / 100;
	}

	@FunctionalInterface
	interface BlockCompressor {

		byte[] compress(byte[] block, int length) throws Exception;

		/** Frees what the compressor holds; a compression still running frees its own at its end. */
		default void close() {
		}

	}

	/**
	 * One gzip member per block ({@link GzipFormat}): deflated by the library, or stored when the
	 * level is 0 or the block looks incompressible (probed with the library's fastest level).
	 * Deflaters are reused from block to block, one per thread at a time, since native ones hold a
	 * few hundred KB each.
	 */
	static final class MemberCompressor implements BlockCompressor {

		private final int level;

		private final DeflaterPool deflaters;

		private final DeflaterPool probes;

		private final DeflaterPool stored = new DeflaterPool(
				() -> ZlibLibrary.newDeflaterAtLevel(Deflater.NO_COMPRESSION));

		MemberCompressor(DeflateLibrary library, int level) {
			if (level < Deflater.DEFAULT_COMPRESSION || level > Deflater.BEST_COMPRESSION) {
				throw new IllegalArgumentException("gzip level must be -1 or between 0 and 9, not " + level);
			}
			Objects.requireNonNull(library, "library");
			this.level = (level == Deflater.DEFAULT_COMPRESSION) ? 6 : level;
			this.deflaters = new DeflaterPool(() -> library.newDeflater(this.level));
			this.probes = new DeflaterPool(() -> library.newDeflater(Deflater.BEST_SPEED));
		}

		@Override
		public byte[] compress(byte[] block, int length) throws IOException {
			boolean store = this.level == Deflater.NO_COMPRESSION || this.probes.apply(
					(probe) -> looksIncompressible(block, length, probe));
			return (store ? this.stored : this.deflaters).apply((deflater) -> member(deflater, block, length));
		}

		private static byte[] member(BlockDeflater deflater, byte[] block, int length) throws IOException {
			byte[] member = new byte[GzipFormat.HEADER_LENGTH + deflater.maxDeflatedSize(length)
					+ GzipFormat.TRAILER_LENGTH];
			int deflated = deflater.deflate(block, length, member, GzipFormat.HEADER_LENGTH);
			CRC32 crc = new CRC32();
			crc.update(block, 0, length);
			GzipFormat.writeHeader(member, deflated, length);
			GzipFormat.writeTrailer(member, GzipFormat.HEADER_LENGTH + deflated, (int) crc.getValue(), length);
			return Arrays.copyOf(member, GzipFormat.HEADER_LENGTH + deflated + GzipFormat.TRAILER_LENGTH);
		}

		@Override
		public void close() {
			this.deflaters.close();
			this.probes.close();
			this.stored.close();
		}

	}

	/**
	 * Deflaters of one kind, lent to one thread at a time. Once closed, each is freed as soon as
	 * it comes back: a compression still running keeps its own until its end.
	 */
	private static final class DeflaterPool {

		private final Supplier<BlockDeflater> factory;

		private final Deque<BlockDeflater> idle = new ArrayDeque<>();

		private boolean closed;

		DeflaterPool(Supplier<BlockDeflater> factory) {
			this.factory = factory;
		}

		<T> T apply(DeflaterUse<T> use) throws IOException {
			BlockDeflater deflater = borrow();
			try {
				return use.apply(deflater);
			}
			finally {
				giveBack(deflater);
			}
		}

		private synchronized BlockDeflater borrow() {
			BlockDeflater deflater = this.idle.poll();
			return (deflater != null) ? deflater : this.factory.get();
		}

		private synchronized void giveBack(BlockDeflater deflater) {
			if (this.closed) {
				deflater.close();
			}
			else {
				this.idle.push(deflater);
			}
		}

		synchronized void close() {
			this.closed = true;
			this.idle.forEach(BlockDeflater::close);
			this.idle.clear();
		}

	}

	@FunctionalInterface
	private interface DeflaterUse<T> {

		T apply(BlockDeflater deflater) throws IOException;

	}

	@FunctionalInterface
	private interface IoAction {

		void run() throws IOException;

	}

}
