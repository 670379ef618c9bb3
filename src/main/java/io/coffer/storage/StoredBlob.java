package io.coffer.storage;

/**
 * The result of a completed upload, as the storage reports it.
 * @param size the stored size, read back from the storage after completion
 * @param etag the storage's tag of the content, {@code null} when it has none
 */
public record StoredBlob(String key, long size, String etag) {
}
