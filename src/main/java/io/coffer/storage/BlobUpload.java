package io.coffer.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A blob being written, of a length known only at the end. Memory is bounded by the store
 * (a couple of part buffers for S3), whatever the length.
 * <p>
 * {@link #complete()} (or {@link #close()}, so that wrapping streams such as a
 * {@code GZIPOutputStream} finish it when they are closed) makes the blob visible.
 * {@link #abort()} leaves nothing behind: no blob and no pending upload, and it also
 * removes the blob if it was already completed, so a caller can always write
 * <pre>
 * try { ...write...; upload.complete(); record(...); }
 * catch (Exception ex) { upload.abort(); throw ex; }
 * </pre>
 * When the storage fails, the write or completion throws a {@link BlobStoreException} and
 * the upload has already tried to abort itself; calling {@link #abort()} again retries what
 * could not be discarded then (the storage may have been unreachable).
 */
public abstract class BlobUpload extends OutputStream {

	/**
	 * Wait until what the store has sent is stored. It does not make anything visible, and a
	 * store may keep the last bytes buffered (S3 keeps up to one part).
	 */
	@Override
	public void flush() throws IOException {
	}

	/** Make the blob visible under its key; idempotent once it succeeded. */
	public abstract StoredBlob complete() throws IOException;

	/** Discard everything written, including a blob already completed; idempotent. */
	public abstract void abort() throws IOException;

	/** The key this upload writes to. */
	public abstract String key();

	/** Bytes accepted so far. */
	public abstract long bytesWritten();

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	/**
	 * Replaces bytes already written at {@code position}, before {@link #complete()}: only for an upload
	 * opened with {@link BlobStore#openUploadHoldingStart}, and only within the start it holds back.
	 */
	public void rewriteStart(long position, byte[] bytes) throws IOException {
		throw new IOException("upload of '" + key() + "' cannot rewrite what it has written");
	}

	/** Whether {@link #abort()} was called. */
	public abstract boolean isAborted();

	/** Completes the upload unless it was aborted. */
	@Override
	public void close() throws IOException {
		if (!isAborted()) {
			complete();
		}
	}

}
