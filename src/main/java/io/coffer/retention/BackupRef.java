package io.coffer.retention;

import java.time.Instant;

import io.coffer.catalog.RunStatus;

/** What retention needs to know of a backup. */
public record BackupRef(String id, Instant createdAt, String method, RunStatus status) {
}
