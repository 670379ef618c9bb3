package io.coffer.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * The second store of {@code coffer.copy}, when one is configured: where every done backup has a copy of its
 * stored object, under the same key. A type of its own, so that nothing takes it for the primary
 * {@link BlobStore} by mistake.
 */
public final class CopyStore implements AutoCloseable {

	private static final CopyStore NONE = new CopyStore(null);

	private final BlobStore store;

	private volatile boolean started;

	private CopyStore(BlobStore store) {
		this.store = store;
	}

	public static CopyStore none() {
		return NONE;
	}

	/** A copy store that is ready, or will be made so ({@link #ready}) before it is written. */
	public static CopyStore of(BlobStore store) {
		return new CopyStore(store);
	}

	public boolean isConfigured() {
		return this.store != null;
	}

	/** The store, for reading and deleting; empty when no copy store is configured. */
	public Optional<BlobStore> store() {
		return Optional.ofNullable(this.store);
	}

	/**
	 * The store, with its bucket made once (an S3 store down at start-up has none yet).
	 * @throws IllegalStateException when no copy store is configured
	 */
	public BlobStore ready() throws IOException {
		if (this.store == null) {
			throw new IllegalStateException("no copy store is configured (coffer.copy.endpoint)");
		}
		if (!this.started && this.store instanceof S3BlobStore s3) {
			s3.start();
		}
		this.started = true;
		return this.store;
	}

	/** Releases the store's HTTP client. */
	@Override
	public void close() {
		if (this.store instanceof S3BlobStore s3) {
			s3.close();
		}
	}

	@Override
	public String toString() {
		return (this.store != null) ? "copy store " + this.store : "no copy store";
	}

}
