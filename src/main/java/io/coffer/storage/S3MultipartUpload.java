package io.coffer.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadPartResponse;
import io.minio.messages.Part;

/**
 * An upload to {@link S3BlobStore}: fills one part buffer while the previous part is being sent. The
 * multipart upload is started only when the first buffer is full; a blob smaller than one part is
 * stored with a single PUT. The first buffer starts small and grows to a part as it fills, so that the many
 * small objects (segments of archived streams, small dumps) never each hold a whole part. Holding the start, the first part stays in memory, rewritable, and is
 * uploaded at completion: S3 assembles parts by number, whatever the order they arrived in.
 */
final class S3MultipartUpload extends BlobUpload {

	private static final int MAXIMUM_PART_COUNT = 10_000;

	/** Size of a new upload's first buffer, doubled as it fills up to the part size. */
	private static final int FIRST_BUFFER = 256 * 1024;

	private final S3BlobStore store;

	private final String key;

	private final List<Part> parts = new ArrayList<>();

	private byte[] buffer;

	private int filled;

	/** The buffer of the part in flight, reused for the part after next. */
	private byte[] spare;

	private CompletableFuture<UploadPartResponse> inFlight;

	private String uploadId;

	private long written;

	private StoredBlob stored;

	private BlobStoreException failure;

	private boolean aborted;

	private final boolean holdFirstPart;

	/** Part 1, held back until completion when {@link #holdFirstPart}. */
	private byte[] firstPart;

	S3MultipartUpload(S3BlobStore store, String key, boolean holdFirstPart) {
		this.store = store;
		this.key = key;
		this.holdFirstPart = holdFirstPart;
	}

	@Override
	public synchronized void rewriteStart(long position, byte[] bytes) throws IOException {
		checkWritable();
		if (!this.holdFirstPart) {
			super.rewriteStart(position, bytes);
		}
		byte[] first = (this.firstPart != null) ? this.firstPart : this.buffer;
		long available = (this.firstPart != null) ? this.firstPart.length : this.filled;
		if (position < 0 || first == null || position + bytes.length > available) {
			throw new IOException("upload of '" + this.key + "' can rewrite only its first " + available
					+ " bytes, not " + bytes.length + " at " + position);
		}
		System.arraycopy(bytes, 0, first, (int) position, bytes.length);
	}

	@Override
	public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		checkWritable();
		int partSize = this.store.getSettings().partSize();
		int position = offset;
		int remaining = length;
		while (remaining > 0) {
			if (this.buffer == null) {
				this.buffer = new byte[Math.min(FIRST_BUFFER, partSize)];
			}
			else if (this.filled == this.buffer.length) {
				this.buffer = Arrays.copyOf(this.buffer, (int) Math.min(2L * this.buffer.length, partSize));
			}
			int chunk = Math.min(remaining, this.buffer.length - this.filled);
			System.arraycopy(bytes, position, this.buffer, this.filled, chunk);
			this.filled += chunk;
			this.written += chunk;
			position += chunk;
			remaining -= chunk;
			if (this.filled == partSize) {
				guarded(this::sendFullPart);
			}
		}
	}

	private void sendFullPart() throws IOException {
		if (nextPartNumber() >= MAXIMUM_PART_COUNT) {
			throw new BlobStoreException("'" + this.key + "' is larger than " + MAXIMUM_PART_COUNT + " parts of "
					+ this.store.getSettings().partSize() + " bytes: raise the part size");
		}
		if (this.uploadId == null) {
			this.uploadId = this.store.await(() -> this.store.asyncClient().createMultipartUploadAsync(this.store.bucket(), this.store.region(),
					this.key, null, null), this.key)
				.result()
				.uploadId();
		}
		if (this.holdFirstPart && this.firstPart == null) {
			// part 1 stays here until completion; parts 2.. go out as they fill
			this.firstPart = this.buffer;
			this.buffer = null;
			this.filled = 0;
			return;
		}
		awaitInFlight();
		byte[] sending = this.buffer;
		int partNumber = nextPartNumber();
		this.inFlight = uploadPart(partNumber, sending);
		this.buffer = this.spare;
		this.spare = sending;
		this.filled = 0;
	}

	private int nextPartNumber() {
		return this.parts.size() + ((this.firstPart != null) ? 2 : 1);
	}

	private CompletableFuture<UploadPartResponse> uploadPart(int partNumber, byte[] content) throws IOException {
		try {
			return this.store.asyncClient().uploadPartAsync(this.store.bucket(), this.store.region(), this.key, content, content.length,
					this.uploadId, partNumber, null, null);
		}
		catch (Exception ex) {
			throw this.store.translate(ex, this.key);
		}
	}

	private void awaitInFlight() throws IOException {
		if (this.inFlight != null) {
			CompletableFuture<UploadPartResponse> sent = this.inFlight;
			this.inFlight = null;
			UploadPartResponse response = this.store.await(() -> sent, this.key);
			this.parts.add(new Part(response.partNumber(), response.etag()));
		}
	}

	/**
	 * Wait until the part in flight is stored. What is still in the buffer stays there:
	 * S3 accepts a part smaller than 5 MiB only as the last one.
	 */
	@Override
	public synchronized void flush() throws IOException {
		checkWritable();
		guarded(this::awaitInFlight);
	}

	@Override
	public synchronized StoredBlob complete() throws IOException {
		if (this.stored != null) {
			return this.stored;
		}
		checkWritable();
		guarded(() -> {
			if (this.uploadId == null) {
				putSinglePart();
			}
			else {
				completeMultipart();
			}
			StatObjectResponse response = this.store.call(() -> this.store.client()
				.statObject(StatObjectArgs.builder().bucket(this.store.bucket()).object(this.key).build()), this.key);
			if (response.size() != this.written) {
				throw new BlobStoreException("object storage at " + this.store.getSettings().endpoint() + " stored "
						+ response.size() + " bytes for '" + this.key + "' instead of " + this.written);
			}
			this.stored = new StoredBlob(this.key, response.size(), S3BlobStore.unquote(response.etag()));
		});
		this.buffer = null;
		this.spare = null;
		this.firstPart = null;
		return this.stored;
	}

	private void putSinglePart() throws IOException {
		byte[] content = (this.buffer != null) ? this.buffer : new byte[0];
		int size = this.filled;
		this.store.call(() -> this.store.client().putObject(PutObjectArgs.builder()
			.bucket(this.store.bucket())
			.object(this.key)
			.stream(new ByteArrayInputStream(content, 0, size), size, -1)
			.build()), this.key);
	}

	private void completeMultipart() throws IOException {
		awaitInFlight();
		if (this.filled > 0) {
			UploadPartResponse last = this.store.await(
					() -> uploadPart(nextPartNumber(), Arrays.copyOf(this.buffer, this.filled)), this.key);
			this.parts.add(new Part(last.partNumber(), last.etag()));
		}
		if (this.firstPart != null) {
			byte[] first = this.firstPart;
			UploadPartResponse sent = this.store.await(() -> uploadPart(1, first), this.key);
			this.parts.add(0, new Part(sent.partNumber(), sent.etag()));
		}
		Part[] completed = this.parts.toArray(new Part[0]);
		this.store.await(() -> this.store.asyncClient().completeMultipartUploadAsync(this.store.bucket(), this.store.region(), this.key,
				this.uploadId, completed, null, null), this.key);
	}

	/** Run a step; if it fails, remember why, discard what was sent, and report it. */
	private void guarded(StorageStep step) throws IOException {
		try {
			step.run();
		}
		catch (IOException | RuntimeException ex) {
			this.failure = this.store.translate(ex, this.key);
			try {
				discard();
			}
			catch (IOException discardFailure) {
				// The storage is probably still unreachable: abort() retries, pendingUploads lists it.
				this.failure.addSuppressed(discardFailure);
			}
			throw this.failure;
		}
	}

	@Override
	public synchronized void abort() throws IOException {
		this.aborted = true;
		this.buffer = null;
		this.spare = null;
		this.firstPart = null;
		discard();
	}

	private void discard() throws IOException {
		// Let the part in flight land first: aborting while it is still being received could
		// leave that part stored after the abort on some servers.
		if (this.inFlight != null) {
			this.inFlight.handle((response, ex) -> null).join();
			this.inFlight = null;
		}
		if (this.uploadId != null) {
			this.store.abortMultipartUpload(this.key, this.uploadId);
			this.uploadId = null;
		}
		if (this.stored != null) {
			this.store.delete(this.key);
		}
	}

	private void checkWritable() throws IOException {
		if (this.aborted) {
			throw new IOException("upload of '" + this.key + "' was aborted");
		}
		if (this.failure != null) {
			throw this.failure;
		}
		if (this.stored != null) {
			throw new IOException("upload of '" + this.key + "' is already complete");
		}
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public synchronized long bytesWritten() {
		return this.written;
	}

	@Override
	public synchronized boolean isAborted() {
		return this.aborted;
	}

	@FunctionalInterface
	private interface StorageStep {

		void run() throws IOException;

	}

}
