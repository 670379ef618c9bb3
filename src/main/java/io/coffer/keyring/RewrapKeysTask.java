package io.coffer.keyring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.crypto.Keyring;
import io.coffer.crypto.ObjectHeader;
import io.coffer.pipeline.DigestingOutputStream;
import io.coffer.storage.BlobNotFoundException;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import io.coffer.catalog.BackupRepository;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Moves every stored thing the keyring opens onto its current key: the data key of each done backup
 * (in its object's header, and the row's {@code key_id}) and the secrets sealed in the catalogue.
 * <p>
 * Objects are immutable in S3: the object is written again under its own key, the new header followed
 * by the old object's segments byte for byte (streamed, never re-encrypted, nothing on disk). Until the
 * upload completes the old object is the one read; after, the new one; either opens with the key its own
 * header names, and both keys stay in the keyring until the old one is retired. Only then does the row
 * change, as a compare-and-set on its old key id. A run interrupted between the two finds, next time,
 * an object whose header already names the current key: it reads it whole for its digest and records
 * it. Retirement counts the rows, so it waits for that.
 */
@Component
class RewrapKeysTask {

	private static final Logger log = LoggerFactory.getLogger(RewrapKeysTask.class);

	// the sealed secrets of every table; the backups' own rows through their repository
	private final JdbcClient jdbc;

	private final BackupRepository backups;

	private final BlobStore store;

	private final Keyring keyring;

	private final KeyringLock lock;

	private final ObjectProvider<RewrapListener> listeners;

	RewrapKeysTask(JdbcClient jdbc, BackupRepository backups, BlobStore store, Keyring keyring, KeyringLock lock,
			ObjectProvider<RewrapListener> listeners) {
		this.jdbc = jdbc;
		this.backups = backups;
		this.store = store;
		this.keyring = keyring;
		this.lock = lock;
		this.listeners = listeners;
	}

	/** Told of each object written again, before its row changes: where a run can be interrupted. */
	interface RewrapListener {

		void objectRewritten(String backupId) throws IOException;

	}

	/**
	 * What a run did. {@code unknownKey}: backups whose key is not in this keyring (nothing can be done
	 * here; restore the key to the keyring file). {@code failed}: left as they were, with why in the log.
	 */
	record Result(int rewrapped, int recorded, int resealed, int unknownKey, int missing, int failed,
			String firstFailure) {

		String describe() {
			return this.rewrapped + " backups re-wrapped, " + this.recorded + " re-wrapped earlier recorded, "
					+ this.resealed + " secrets re-sealed, " + this.unknownKey + " with a key not in the keyring, "
					+ this.missing + " without their object, " + this.failed + " failed"
					+ ((this.firstFailure != null) ? " (first: " + this.firstFailure + ")" : "");
		}

	}

	private record Row(String id, String databaseId, String objectKey, String keyId, long storedSize) {
	}

	Result run() throws Exception {
		return this.lock.ifFree(KeyringLock.REWRAP, this::rewrapAll, () -> {
			throw new IllegalStateException("another rewrapKeysJob is running (on this or another instance): "
					+ "wait for it to end");
		});
	}

	private Result rewrapAll() {
		String current = this.keyring.newest().id();
		List<Row> rows = this.backups.findDoneNotWrappedBy(current)
			.stream()
			.map((backup) -> new Row(backup.id(), backup.databaseId(), backup.objectKey(), backup.keyId(),
					(backup.storedSize() != null) ? backup.storedSize() : 0))
			.toList();
		int rewrapped = 0;
		int recorded = 0;
		int unknownKey = 0;
		int missing = 0;
		int failed = 0;
		String firstFailure = null;
		for (Row row : rows) {
			if (row.keyId() == null || this.keyring.find(row.keyId()).isEmpty()) {
				unknownKey++;
				log.warn("Backup {} of {} uses key {}, which is not in the keyring: left as it is", row.id(),
						row.databaseId(), row.keyId());
				continue;
			}
			try {
				switch (rewrap(row)) {
					case REWRAPPED -> rewrapped++;
					case RECORDED -> recorded++;
					case GONE -> {
					}
				}
			}
			catch (BlobNotFoundException ex) {
				missing++;
				log.warn("Backup {} of {} has no object {}: left to the orphan sweep", row.id(), row.databaseId(),
						row.objectKey());
			}
			catch (Exception ex) {
				failed++;
				String reason = "backup " + row.id() + " of " + row.databaseId() + ": " + ex.getMessage();
				firstFailure = (firstFailure != null) ? firstFailure : reason;
				log.error("Could not re-wrap the data key of {}", reason, ex);
				if (ex instanceof RewrapInterruptedException interrupted) {
					throw interrupted;
				}
			}
		}
		int resealed = resealSecrets();
		return new Result(rewrapped, recorded, resealed, unknownKey, missing, failed, firstFailure);
	}

	private enum Outcome {
		REWRAPPED, RECORDED, GONE
	}

	private Outcome rewrap(Row row) throws IOException {
		ObjectHeader header;
		try (InputStream in = this.store.read(row.objectKey(), 0, ObjectHeader.LENGTH)) {
			header = ObjectHeader.read(in);
		}
		KeyEncryptionKey target = this.keyring.newest();
		if (header.keyId().equals(target.id())) {
			// written again by a run that ended before recording it: its digest is read from the object
			DigestingOutputStream digest = new DigestingOutputStream(OutputStream.nullOutputStream());
			try (InputStream in = this.store.read(row.objectKey())) {
				in.transferTo(digest);
			}
			digest.finish();
			return record(row, target.id(), digest.sha256Hex()) ? Outcome.RECORDED : Outcome.GONE;
		}
		byte[] rewrapped = header.rewrap(this.keyring, target);
		BlobUpload upload = this.store.openUpload(row.objectKey());
		DigestingOutputStream digest = new DigestingOutputStream(upload);
		try {
			digest.write(rewrapped);
			try (InputStream segments = this.store.read(row.objectKey(), ObjectHeader.LENGTH,
					row.storedSize() - ObjectHeader.LENGTH)) {
				segments.transferTo(digest);
			}
			digest.finish();
			if (digest.size() != row.storedSize()) {
				throw new IOException("read " + digest.size() + " bytes of the object, the catalogue records "
						+ row.storedSize() + ": left as it was");
			}
			upload.complete();
		}
		catch (IOException | RuntimeException ex) {
			// before completion the old object is untouched; abort only discards this upload
			if (!upload.isAborted()) {
				upload.abort();
			}
			throw ex;
		}
		this.listeners.orderedStream().forEach((listener) -> {
			try {
				listener.objectRewritten(row.id());
			}
			catch (IOException ex) {
				throw new RewrapInterruptedException(ex.getMessage(), ex);
			}
		});
		return record(row, target.id(), digest.sha256Hex()) ? Outcome.REWRAPPED : Outcome.GONE;
	}

	/**
	 * Switches the row to the new key, if it still names the old one. A row deleted meanwhile (retention)
	 * must not keep the object just written alive: it is deleted again.
	 */
	private boolean record(Row row, String keyId, String storedSha256) throws IOException {
		if (this.backups.recordRewrapped(row.id(), row.keyId(), keyId, storedSha256)) {
			return true;
		}
		if (!this.backups.isKept(row.id())) {
			this.store.delete(row.objectKey());
		}
		return false;
	}

	/** Secrets of the catalogue ({@code <key-id>:<sealed>}) sealed with an older key, sealed with the current one. */
	private int resealSecrets() {
		int resealed = 0;
		resealed += reseal("credentials", "sealed", "database_id || '/' || name");
		resealed += reseal("certificate_authority", "sealed_key", "id::text");
		resealed += reseal("database_tls", "sealed_key", "database_id");
		return resealed;
	}

	private int reseal(String table, String column, String identity) {
		KeyEncryptionKey target = this.keyring.newest();
		record Sealed(String identity, String sealed) {
		}
		List<Sealed> older = this.jdbc.sql("select " + identity + " as identity, " + column + " as sealed from " + table
				+ " where not starts_with(" + column + ", ?)").param(target.id() + ":")
			.query((rs, row) -> new Sealed(rs.getString("identity"), rs.getString("sealed")))
			.list();
		int resealed = 0;
		for (Sealed secret : older) {
			String keyId = secret.sealed().substring(0, Math.max(0, secret.sealed().indexOf(':')));
			if (this.keyring.find(keyId).isEmpty()) {
				log.warn("A secret of {} ({}) is sealed with key {}, which is not in the keyring: left as it is", table,
						secret.identity(), keyId);
				continue;
			}
			try {
				String plain = this.keyring.openText(secret.sealed());
				resealed += this.jdbc.sql("update " + table + " set " + column + " = ? where " + identity + " = ? and "
						+ column + " = ?").params(target.sealText(plain), secret.identity(), secret.sealed()).update();
			}
			catch (IOException | RuntimeException ex) {
				log.error("Could not re-seal a secret of {} ({}): {}", table, secret.identity(), ex.getMessage());
			}
		}
		return resealed;
	}

	/** A listener stopped the run (what a crash at that point would leave behind). */
	static final class RewrapInterruptedException extends RuntimeException {

		RewrapInterruptedException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
