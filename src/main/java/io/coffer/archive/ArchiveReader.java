package io.coffer.archive;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.crypto.DecryptionPool;
import io.coffer.crypto.EncryptedLayout;
import io.coffer.crypto.IntegrityException;
import io.coffer.crypto.Keyring;
import io.coffer.crypto.ObjectHeader;
import io.coffer.crypto.ParallelDecryptingInputStream;
import io.coffer.crypto.UnknownKeyException;
import io.coffer.pipeline.BackgroundDigest;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobStoreException;
import io.coffer.storage.CopyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Reads a done backup's archive (the plain {@code .tar.gz}) back from object storage, whole or a
 * byte range, without a temporary file: only the segments that cover the range are fetched and
 * decrypted, several at once on the shared {@link DecryptionPool} while the next ones are read from storage,
 * and memory stays at a few segments per read whatever the size.
 * <p>
 * Bytes are handed out only once they have been authenticated. When the stored object fails
 * authentication (tampered, truncated, encrypted with a key the keyring lacks), the stream throws an
 * {@link IntegrityException} or {@link UnknownKeyException} before the failing part, and the backup
 * is flagged in the catalogue. A whole read is also checked against the archive's SHA-256 before its
 * last bytes are released, so a well-formed object that is not this backup's is refused too.
 * <p>
 * A backup whose copy is done in the copy store ({@code coffer.copy}) is read from there when its primary
 * object is missing, damaged or unreachable, from the first byte or from where the primary failed
 * ({@link ArchiveSources}): the read goes on, says so ({@link Archive#source()}, a log line, an
 * {@link ArchiveReadFromCopy} event, {@code primary_error} on the row), and the backup is flagged only
 * when the copy fails too.
 */
@Component
public class ArchiveReader {

	/** {@link Archive#source()} of a read from the backup's own store. */
	public static final String PRIMARY = "primary";

	/** {@link Archive#source()} of a read that used the copy store. */
	public static final String COPY = "copy";

	private static final Logger log = LoggerFactory.getLogger(ArchiveReader.class);

	private final BlobStore store;

	private final Keyring keyring;

	private final BackupRepository backups;

	private final CopyStore copies;

	private final ArchiveSources.Switches switches;

	private final DecryptionPool decryption;

	ArchiveReader(BlobStore store, Keyring keyring, BackupRepository backups, CopyStore copies,
			ApplicationEventPublisher events, DecryptionPool decryption) {
		this.store = store;
		this.decryption = decryption;
		this.keyring = keyring;
		this.backups = backups;
		this.copies = copies;
		this.switches = (backup, problem) -> {
			try {
				backups.recordPrimaryFailure(backup.id(), problem);
			}
			catch (RuntimeException ex) {
				log.error("Could not record on backup {} that its copy was read", backup.id(), ex);
			}
			events.publishEvent(new ArchiveReadFromCopy(backup.databaseId(), backup.id(), problem));
		};
	}

	/**
	 * Exactly the bytes of {@code range} of the backup's archive. Close the stream when done: an
	 * unfinished read of storage is abandoned then.
	 * @throws IntegrityException if the object's header fails authentication
	 * @throws UnknownKeyException if the key named by the header is not in the keyring
	 * @throws IllegalArgumentException if the backup is not done or the range is not within the archive
	 */
	public Archive open(Backup backup, Range range) throws IOException {
		requireDone(backup);
		if (range.offset() + range.length() > backup.archiveSize()) {
			throw new IllegalArgumentException("range " + range + " is not within the archive of backup "
					+ backup.id() + " (" + backup.archiveSize() + " bytes)");
		}
		ArchiveSources plain;
		try {
			plain = ArchiveSources.open(backup, range.offset(), sources(backup), this::decrypt, this.switches);
		}
		catch (IntegrityException | UnknownKeyException ex) {
			throw recordFailure(backup, ex);
		}
		boolean whole = range.offset() == 0 && range.length() == backup.archiveSize();
		return new RangeStream(plain, backup, range.length(), whole ? backup.archiveSha256() : null);
	}

	/** Where the backup's stored object can be read: its store, then the copy store once it holds a copy. */
	private List<ArchiveSources.Source> sources(Backup backup) {
		List<ArchiveSources.Source> sources = new ArrayList<>();
		sources.add(new ArchiveSources.Source(ArchiveSources.PRIMARY, this.store));
		if (backup.copy() != null && backup.copy().isDone()) {
			this.copies.store().ifPresent((copy) -> sources.add(new ArchiveSources.Source(ArchiveSources.COPY, copy)));
		}
		return sources;
	}

	/** The archive in the clear from {@code offset} to its end, read from one store. */
	private InputStream decrypt(BlobStore store, Backup backup, long offset) throws IOException {
		long firstSegment = EncryptedLayout.segmentIndexOf(offset);
		long storedOffset = EncryptedLayout.storedOffsetOfSegment(firstSegment);
		ParallelDecryptingInputStream plain;
		ObjectHeader header;
		try (InputStream headerBytes = store.read(backup.objectKey(), 0, ObjectHeader.LENGTH)) {
			header = ObjectHeader.read(headerBytes);
		}
		// open-ended: the decrypter knows the last segment by the end of the object. It reads segments ahead
		// while earlier ones are decrypted on the shared pool and this one is sent.
		InputStream stored = store.read(backup.objectKey(), storedOffset, backup.storedSize() - storedOffset);
		try {
			plain = ParallelDecryptingInputStream.fromSegment(header, firstSegment, stored, this.keyring,
					this.decryption, ParallelDecryptingInputStream.DEFAULT_READ_AHEAD);
		}
		catch (IOException | RuntimeException ex) {
			stored.close();
			throw ex;
		}
		try {
			plain.skipNBytes(offset - EncryptedLayout.plaintextOffsetOfSegment(firstSegment));
		}
		catch (IOException | RuntimeException ex) {
			plain.close();
			throw ex;
		}
		return plain;
	}

	/**
	 * The stored object as it is, still encrypted: {@link Backup#storedSize()} bytes, from the copy store
	 * when the primary object is missing or its store does not answer (nothing here can tell a damaged one).
	 */
	public Archive openStored(Backup backup) throws IOException {
		requireDone(backup);
		List<ArchiveSources.Source> sources = sources(backup);
		for (int i = 0;; i++) {
			ArchiveSources.Source source = sources.get(i);
			try {
				InputStream stored = source.store().read(backup.objectKey());
				return new StoredStream(stored, source.name());
			}
			catch (BlobStoreException ex) {
				if (i + 1 == sources.size()) {
					throw ex;
				}
				log.error("Backup {} of {}: the {} object {} could not be read: {}; reading it from the {} instead",
						backup.id(), backup.databaseId(), source.name(), backup.objectKey(), ex.getMessage(),
						sources.get(i + 1).name());
				this.switches.switched(backup,
						"the " + source.name() + " object could not be read: " + ArchiveSources.sentence(ex));
			}
		}
	}

	/** A stored object as it is, and where it is read from. */
	private static final class StoredStream extends Archive {

		private final InputStream stored;

		private final String source;

		StoredStream(InputStream stored, String source) {
			this.stored = stored;
			this.source = source;
		}

		@Override
		public int read() throws IOException {
			return this.stored.read();
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			return this.stored.read(bytes, offset, length);
		}

		@Override
		public String source() {
			return this.source;
		}

		@Override
		public void close() throws IOException {
			this.stored.close();
		}

	}

	private static void requireDone(Backup backup) {
		if (backup.status() != RunStatus.DONE) {
			throw new IllegalArgumentException(
					"backup " + backup.id() + " is " + backup.status().value() + ", not done: it has no archive");
		}
	}

	private <E extends IOException> E recordFailure(Backup backup, E failure) {
		log.error("The stored object of backup {} of {} ({}) failed authentication: {}", backup.id(),
				backup.databaseId(), backup.objectKey(), failure.getMessage());
		try {
			this.backups.recordIntegrityCheck(backup.id(), failure.getMessage(), Instant.now());
		}
		catch (RuntimeException ex) {
			log.error("Could not flag backup {} in the catalogue", backup.id(), ex);
		}
		return failure;
	}

	private void recordPass(Backup backup) {
		try {
			this.backups.recordIntegrityCheck(backup.id(), null, Instant.now());
		}
		catch (RuntimeException ex) {
			log.warn("Could not record the integrity check of backup {} in the catalogue", backup.id(), ex);
		}
	}

	/**
	 * A byte range of an archive: {@code length} bytes from {@code offset}.
	 */
	public record Range(long offset, long length) {

		public Range {
			if (offset < 0 || length < 0) {
				throw new IllegalArgumentException("a range has a non-negative offset and length");
			}
		}

		public static Range whole(Backup backup) {
			return new Range(0, Objects.requireNonNull(backup.archiveSize(), "archive size"));
		}

		/** From {@code first} to {@code last}, both included, like HTTP's {@code bytes=first-last}. */
		public static Range between(long first, long last) {
			return new Range(first, last - first + 1);
		}

		public long last() {
			return this.offset + this.length - 1;
		}

		@Override
		public String toString() {
			return "bytes " + this.offset + "-" + last();
		}

	}

	/**
	 * Ends after exactly {@code length} bytes; flags the backup if the object fails on the way, or if it
	 * ends early. With a digest to match, holds back the last bytes until the digest is checked.
	 */
	private final class RangeStream extends Archive {

		private final ArchiveSources plain;

		private final Backup backup;

		/** The whole archive's SHA-256, computed beside the read rather than in it. */
		private final BackgroundDigest digest;

		private final String expectedSha256;

		private long remaining;

		private boolean failed;

		RangeStream(ArchiveSources plain, Backup backup, long length, String expectedSha256) {
			this.plain = plain;
			this.backup = backup;
			this.remaining = length;
			this.expectedSha256 = expectedSha256;
			this.digest = (expectedSha256 != null) ? new BackgroundDigest() : null;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) == -1) ? -1 : Byte.toUnsignedInt(one[0]);
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			Objects.checkFromIndexSize(offset, length, bytes.length);
			if (this.failed) {
				throw new IOException("the archive of backup " + this.backup.id() + " failed to read; see the error before");
			}
			if (this.remaining == 0) {
				return -1;
			}
			if (length == 0) {
				return 0;
			}
			try {
				int read = this.plain.read(bytes, offset, (int) Math.min(length, this.remaining));
				if (read == -1) {
					throw new IntegrityException("the archive of backup " + this.backup.id() + " ends "
							+ this.remaining + " bytes short of the " + this.backup.archiveSize()
							+ " bytes in the catalogue");
				}
				this.remaining -= read;
				if (this.digest != null) {
					this.digest.update(bytes, offset, read);
					if (this.remaining == 0) {
						checkDigest();
					}
				}
				return read;
			}
			catch (IntegrityException | UnknownKeyException ex) {
				this.failed = true;
				throw recordFailure(this.backup, ex);
			}
			catch (IOException | RuntimeException ex) {
				this.failed = true;
				throw ex;
			}
		}

		private void checkDigest() throws IOException {
			String actual = this.digest.hex();
			if (!actual.equals(this.expectedSha256)) {
				throw new IntegrityException("the archive of backup " + this.backup.id() + " has SHA-256 " + actual
						+ ", not the " + this.expectedSha256 + " recorded when it was taken");
			}
			recordPass(this.backup);
		}

		@Override
		public String source() {
			return this.plain.source();
		}

		@Override
		public void close() throws IOException {
			if (this.digest != null) {
				this.digest.close();
			}
			this.plain.close();
		}

	}

	/**
	 * A backup's archive being read: the bytes, and which store they come from, {@code primary} or
	 * {@code copy} (once any came from the copy).
	 */
	public abstract static class Archive extends InputStream {

		public abstract String source();

	}

}
