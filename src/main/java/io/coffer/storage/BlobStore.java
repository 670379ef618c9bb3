package io.coffer.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where backups are kept: a flat namespace of keys ({@code <database-id>/<name>}) holding
 * immutable blobs. Implementations: {@link S3BlobStore} (production, and the embedded
 * default through {@link EmbeddedS3Server}) and {@link FileSystemBlobStore}.
 * <p>
 * Every failure of the storage itself is reported as a {@link BlobStoreException} whose
 * message is a sentence an operator can act on.
 */
public interface BlobStore {

	/**
	 * Start writing a blob of unknown length. Nothing is visible under {@code key} until
	 * {@link BlobUpload#complete()} returns; on failure call {@link BlobUpload#abort()}.
	 */
	BlobUpload openUpload(String key) throws IOException;

	/**
	 * Like {@link #openUpload}, but the first {@link #heldBackStart()} bytes may still be rewritten with
	 * {@link BlobUpload#rewriteStart} until {@link BlobUpload#complete()}: the store keeps them back (S3: the
	 * first part is uploaded last) while the rest goes out as it is written. For an archive whose header
	 * is known only at the end of its stream.
	 */
	default BlobUpload openUploadHoldingStart(String key) throws IOException {
		throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot rewrite the start of an upload");
	}

	/** How many bytes at the start of an upload {@link #openUploadHoldingStart} lets rewrite; 0 when it cannot. */
	default long heldBackStart() {
		return 0;
	}

	/** Size and date of a blob, or empty when there is none under {@code key}. */
	Optional<BlobInfo> stat(String key) throws IOException;

	/** The whole blob. @throws BlobNotFoundException when there is none under {@code key} */
	InputStream read(String key) throws IOException;

	/**
	 * {@code length} bytes from {@code offset}; a range that runs past the end stops at the
	 * end, like an HTTP range does, and one that starts there or beyond reads nothing.
	 * @throws BlobNotFoundException when there is none under {@code key}
	 */
	InputStream read(String key, long offset, long length) throws IOException;

	/** Every blob whose key starts with {@code prefix}, at any depth, sorted by key. */
	List<BlobInfo> list(String prefix) throws IOException;

	/** Remove the blob; removing one that does not exist is not an error. */
	void delete(String key) throws IOException;

	/**
	 * Uploads begun and neither completed nor aborted, under {@code prefix}: what an
	 * interrupted backup leaves behind. Includes the uploads still being written.
	 */
	List<PendingUpload> pendingUploads(String prefix) throws IOException;

	/** Discard an interrupted upload and every part it stored. */
	void abortPending(PendingUpload upload) throws IOException;

	/** Fails with a {@link BlobStoreException} saying why the storage cannot be used. */
	void checkReachable() throws IOException;

}
