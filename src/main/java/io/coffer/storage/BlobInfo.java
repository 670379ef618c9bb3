package io.coffer.storage;

import java.time.Instant;

/**
 * What the storage knows of a stored blob.
 * @param etag the storage's tag of the content, {@code null} when it has none
 */
public record BlobInfo(String key, long size, Instant lastModified, String etag) {
}
