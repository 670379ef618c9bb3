package io.coffer.housekeeping;

import java.time.Instant;

import io.coffer.catalog.RunStatus;

/**
 * What retention needs to know of a backup; {@code damaged} when a download, restore, drill or verification found its
 * stored object damaged ({@code integrity_error}).
 */
public record BackupRef(String id, Instant createdAt, String method, RunStatus status, boolean damaged) {

	/** A backup no one found damaged. */
	public BackupRef(String id, Instant createdAt, String method, RunStatus status) {
		this(id, createdAt, method, status, false);
	}

	/** Done and not found damaged: what may count as the latest good backup. */
	boolean isGood() {
		return this.status == RunStatus.DONE && !this.damaged;
	}

}
