package io.coffer.storage;

import java.time.Instant;

/**
 * An upload begun and neither completed nor aborted.
 * @param uploadId the storage's handle of the upload, needed to abort it
 */
public record PendingUpload(String key, String uploadId, Instant initiated) {
}
