package io.coffer.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import io.minio.messages.ListMultipartUploadsResult;
import io.minio.messages.Upload;
import okhttp3.OkHttpClient;

/**
 * A {@link BlobStore} on an S3-compatible object storage (MinIO, S3, S3Proxy) through the
 * MinIO Java client.
 * <p>
 * An upload of unknown length drives the multipart API itself rather than piping into
 * {@code putObject(stream, -1, partSize)}: that way this class holds the upload id, so it
 * can abort the multipart upload whatever failed, and memory stays at two part buffers
 * (the part being sent and the part being filled). A blob smaller than one part is stored
 * with a single PUT and never starts a multipart upload. The upload itself is
 * {@link S3MultipartUpload}.
 */
public class S3BlobStore implements BlobStore, AutoCloseable {

	private static final long CONNECT_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(10);

	private static final long TRANSFER_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(2);

	/**
	 * jclouds' filesystem provider, behind S3Proxy, keeps the state of a multipart upload in
	 * ordinary objects named {@code .mpus-<upload id>-<key>...}.
	 */
	private static final String LOCAL_MULTIPART_STATE_PREFIX = ".mpus-";

	/**
	 * The same provider writes each incoming object to a file named by a random UUID at the
	 * top of the bucket, then renames it, so listings show it while a write is under way.
	 */
	private static final Pattern LOCAL_WRITE_IN_PROGRESS = Pattern
		.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	private final S3Settings settings;

	private final OkHttpClient httpClient;

	private final MinioClient client;

	private final UploadListingClient asyncClient;

	public S3BlobStore(S3Settings settings) {
		this.settings = settings;
		this.httpClient = io.minio.http.HttpUtils.newDefaultHttpClient(CONNECT_TIMEOUT_MILLIS, TRANSFER_TIMEOUT_MILLIS,
				TRANSFER_TIMEOUT_MILLIS);
		this.client = MinioClient.builder()
			.endpoint(settings.endpoint())
			.region(settings.region())
			.credentials(settings.accessKey(), settings.secretKey())
			.httpClient(this.httpClient)
			.build();
		this.asyncClient = new UploadListingClient(MinioAsyncClient.builder()
			.endpoint(settings.endpoint())
			.region(settings.region())
			.credentials(settings.accessKey(), settings.secretKey())
			.httpClient(this.httpClient)
			.build());
	}

	/**
	 * Check that the storage answers and, when {@link S3Settings#createBucket()} says so,
	 * create the bucket if it is missing.
	 */
	public S3BlobStore start() throws IOException {
		if (this.settings.createBucket()) {
			call(() -> {
				if (!this.client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build())) {
					this.client.makeBucket(MakeBucketArgs.builder().bucket(bucket()).build());
				}
				return null;
			}, null);
		}
		else {
			checkReachable();
		}
		return this;
	}

	public S3Settings getSettings() {
		return this.settings;
	}

	@Override
	public BlobUpload openUpload(String key) {
		checkKey(key);
		return new S3MultipartUpload(this, key, false);
	}

	@Override
	public BlobUpload openUploadHoldingStart(String key) {
		checkKey(key);
		return new S3MultipartUpload(this, key, true);
	}

	/** The first part, which such an upload sends last. */
	@Override
	public long heldBackStart() {
		return this.settings.partSize();
	}

	@Override
	public Optional<BlobInfo> stat(String key) throws IOException {
		checkKey(key);
		try {
			StatObjectResponse response = call(
					() -> this.client.statObject(StatObjectArgs.builder().bucket(bucket()).object(key).build()), key);
			return Optional.of(new BlobInfo(key, response.size(), response.lastModified().toInstant(), unquote(response.etag())));
		}
		catch (BlobNotFoundException ex) {
			// A HEAD has no body, so the client cannot tell a missing object from a missing bucket.
			checkBucketExists();
			return Optional.empty();
		}
	}

	@Override
	public InputStream read(String key) throws IOException {
		checkKey(key);
		return call(() -> this.client.getObject(GetObjectArgs.builder().bucket(bucket()).object(key).build()), key);
	}

	@Override
	public InputStream read(String key, long offset, long length) throws IOException {
		checkKey(key);
		FileSystemBlobStore.checkRange(offset, length);
		try {
			return call(() -> this.client.getObject(
					GetObjectArgs.builder().bucket(bucket()).object(key).offset(offset).length(length).build()), key);
		}
		catch (BlobStoreException ex) {
			if (isInvalidRange(ex)) {
				// the range starts at or past the end: it stops at the end, as the file system's does, so that a
				// reader sees an object shorter than expected (a truncation) rather than a storage failure
				return InputStream.nullInputStream();
			}
			throw ex;
		}
	}

	@Override
	public List<BlobInfo> list(String prefix) throws IOException {
		Iterable<Result<Item>> items = this.client
			.listObjects(ListObjectsArgs.builder().bucket(bucket()).prefix(prefix).recursive(true).build());
		List<BlobInfo> blobs = new ArrayList<>();
		for (Result<Item> result : items) {
			Item item = call(result::get, null);
			if (!item.isDir() && !isLocalProviderState(item.objectName())) {
				blobs.add(new BlobInfo(item.objectName(), item.size(),
						item.lastModified() != null ? item.lastModified().toInstant() : null, unquote(item.etag())));
			}
		}
		blobs.sort(Comparator.comparing(BlobInfo::key));
		return blobs;
	}

	@Override
	public void delete(String key) throws IOException {
		checkKey(key);
		call(() -> {
			this.client.removeObject(RemoveObjectArgs.builder().bucket(bucket()).object(key).build());
			return null;
		}, null);
	}

	@Override
	public List<PendingUpload> pendingUploads(String prefix) throws IOException {
		// One page: S3Proxy refuses markers and max-uploads. S3 and MinIO answer up to 1,000
		// uploads a page, more than interrupted backups pile up between two housekeeping runs;
		// the next run sees the rest once these are aborted.
		ListMultipartUploadsResult page = await(() -> this.asyncClient.listUploads(bucket(), region(), prefix), null);
		List<PendingUpload> uploads = new ArrayList<>();
		for (Upload upload : page.uploads()) {
			// S3Proxy ignores the prefix
			if (upload.objectName().startsWith(prefix)) {
				uploads.add(new PendingUpload(upload.objectName(), upload.uploadId(),
						upload.initiated() != null ? upload.initiated().toInstant() : null));
			}
		}
		uploads.sort(Comparator.comparing(PendingUpload::key));
		return uploads;
	}

	@Override
	public void abortPending(PendingUpload upload) throws IOException {
		abortMultipartUpload(upload.key(), upload.uploadId());
	}

	@Override
	public void checkReachable() throws IOException {
		checkBucketExists();
	}

	/** Release the HTTP client's threads and connections. */
	@Override
	public void close() {
		this.httpClient.dispatcher().executorService().shutdown();
		this.httpClient.connectionPool().evictAll();
	}

	@Override
	public String toString() {
		return "bucket '" + bucket() + "' at " + this.settings.endpoint();
	}

	private void checkBucketExists() throws IOException {
		boolean exists = call(() -> this.client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build()), null);
		if (!exists) {
			throw noSuchBucket(null);
		}
	}

	void abortMultipartUpload(String key, String uploadId) throws IOException {
		try {
			await(() -> this.asyncClient.abortMultipartUploadAsync(bucket(), region(), key, uploadId, null, null), null);
		}
		catch (BlobStoreException ex) {
			if (!isNoSuchUpload(ex)) {
				throw ex;
			}
		}
	}

	/**
	 * Objects that S3Proxy's filesystem provider makes for its own use. No key of ours starts
	 * with a dot or lacks the database folder, and a sweep of orphan objects must never
	 * delete these while an upload is under way.
	 */
	private static boolean isLocalProviderState(String key) {
		return key.startsWith(LOCAL_MULTIPART_STATE_PREFIX) || LOCAL_WRITE_IN_PROGRESS.matcher(key).matches();
	}

	private static boolean isInvalidRange(BlobStoreException ex) {
		return ex.getCause() instanceof ErrorResponseException response
				&& "InvalidRange".equals(response.errorResponse().code());
	}

	private static boolean isNoSuchUpload(BlobStoreException ex) {
		return ex.getCause() instanceof ErrorResponseException response
				&& "NoSuchUpload".equals(response.errorResponse().code());
	}

	String bucket() {
		return this.settings.bucket();
	}

	String region() {
		return this.settings.region();
	}

	MinioClient client() {
		return this.client;
	}

	UploadListingClient asyncClient() {
		return this.asyncClient;
	}

	private static void checkKey(String key) {
		if (key == null || key.isEmpty() || key.startsWith("/")) {
			throw new IllegalArgumentException("invalid key '" + key + "': expected a relative name such as 'my-app-3030/backup.tar.gz.enc'");
		}
	}

	static String unquote(String etag) {
		if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
			return etag.substring(1, etag.length() - 1);
		}
		return etag;
	}

	<T> T call(StorageCall<T> call, String key) throws IOException {
		try {
			return call.call();
		}
		catch (Exception ex) {
			throw translate(ex, key);
		}
	}

	<T> T await(StorageCall<CompletableFuture<T>> call, String key) throws IOException {
		try {
			return call.call().get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new java.io.InterruptedIOException("interrupted while waiting for " + this);
		}
		catch (Exception ex) {
			throw translate(ex, key);
		}
	}

	/** Turn what the client throws into a sentence that says what is wrong with the storage. */
	BlobStoreException translate(Throwable failure, String key) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause instanceof BlobStoreException known) {
			return known;
		}
		if (cause instanceof ErrorResponseException response) {
			String code = response.errorResponse().code();
			switch (code) {
				case "NoSuchKey":
					return new BlobNotFoundException(key, toString());
				case "NoSuchBucket":
					return noSuchBucket(cause);
				case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken":
					return new BlobStoreException("object storage at " + this.settings.endpoint()
							+ " rejected the credentials (access key " + this.settings.accessKey() + "): " + code,
							"object storage rejected the service's credentials; the service log has the details", cause);
				default:
					return new BlobStoreException("object storage at " + this.settings.endpoint() + " refused the request on "
							+ (key != null ? "'" + key + "' in " : "") + "bucket '" + bucket() + "': " + code
							+ (response.errorResponse().message() != null ? " (" + response.errorResponse().message() + ")" : ""),
							cause);
			}
		}
		if (cause instanceof ConnectException || cause instanceof UnknownHostException
				|| cause instanceof SocketTimeoutException || cause instanceof IOException) {
			return new BlobStoreException("object storage at " + this.settings.endpoint() + " is unreachable ("
					+ Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName()) + ")", cause);
		}
		return new BlobStoreException("object storage at " + this.settings.endpoint() + " failed: " + cause, cause);
	}

	private BlobStoreException noSuchBucket(Throwable cause) {
		return new BlobStoreException("bucket '" + bucket() + "' does not exist at " + this.settings.endpoint(), cause);
	}

	@FunctionalInterface
	interface StorageCall<T> {

		T call() throws Exception;

	}

}
