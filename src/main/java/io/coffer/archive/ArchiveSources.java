package io.coffer.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;

import io.coffer.catalog.Backup;
import io.coffer.crypto.IntegrityException;
import io.coffer.crypto.UnknownKeyException;
import io.coffer.storage.BlobNotFoundException;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup's archive in the clear, read from the first of its stores that can serve it: the primary, then the
 * copy. Both hold the very same encrypted bytes, so the archive is the same whichever is read, and a read that
 * fails on the primary (object missing, a segment that fails authentication, a key the keyring lacks, storage
 * that does not answer) goes on from the copy at the byte where it stopped: nothing read from the primary was
 * handed out before it was authenticated, so nothing is handed out twice or wrong.
 * <p>
 * The first segment is decrypted when the read is opened, so that a primary damaged there (a small backup's only
 * segment) is known before anyone announces where the bytes come from.
 */
final class ArchiveSources extends InputStream {

	static final String PRIMARY = ArchiveReader.PRIMARY;

	static final String COPY = ArchiveReader.COPY;

	private static final Logger log = LoggerFactory.getLogger(ArchiveSources.class);

	/** One store the stored object is in, by name. */
	record Source(String name, BlobStore store) {
	}

	/** Opens the archive in the clear from an offset to its end, from one store. */
	@FunctionalInterface
	interface Decrypter {

		InputStream open(BlobStore store, Backup backup, long offset) throws IOException;

	}

	/** Told once a read leaves the primary for the copy, with why. */
	@FunctionalInterface
	interface Switches {

		void switched(Backup backup, String problem);

	}

	private final Backup backup;

	private final List<Source> sources;

	private final Decrypter decrypter;

	private final Switches switches;

	private int current = -1;

	private InputStream stream;

	private long position;

	/** The byte read ahead when the read was opened, or -1. */
	private int primed = -1;

	private ArchiveSources(Backup backup, long offset, List<Source> sources, Decrypter decrypter, Switches switches) {
		this.backup = backup;
		this.position = offset;
		this.sources = sources;
		this.decrypter = decrypter;
		this.switches = switches;
	}

	/**
	 * Opens the archive from {@code offset}, from the first source that decrypts its first segment.
	 * @throws IOException what the last source failed with
	 */
	static ArchiveSources open(Backup backup, long offset, List<Source> sources, Decrypter decrypter,
			Switches switches) throws IOException {
		ArchiveSources archive = new ArchiveSources(backup, offset, List.copyOf(sources), decrypter, switches);
		archive.next(null);
		if (offset < backup.archiveSize()) {
			archive.prime();
		}
		return archive;
	}

	/** {@code primary} or {@code copy}: where the bytes came from, the copy once any came from it. */
	String source() {
		return this.sources.get(this.current).name();
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		return (read(one, 0, 1) == -1) ? -1 : Byte.toUnsignedInt(one[0]);
	}

	@Override
	public int read(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		if (length == 0) {
			return 0;
		}
		if (this.primed >= 0) {
			bytes[offset] = (byte) this.primed;
			this.primed = -1;
			this.position++;
			return 1;
		}
		while (true) {
			try {
				int read = this.stream.read(bytes, offset, length);
				if (read > 0) {
					this.position += read;
				}
				return read;
			}
			catch (IntegrityException | UnknownKeyException | BlobStoreException ex) {
				next(ex);
			}
		}
	}

	/** Reads one byte ahead, on whichever source serves it. */
	private void prime() throws IOException {
		while (true) {
			try {
				this.primed = this.stream.read();
				return;
			}
			catch (IntegrityException | UnknownKeyException | BlobStoreException ex) {
				next(ex);
			}
		}
	}

	/**
	 * Moves on to the next source, at the current position, after {@code failure} of this one (null: the
	 * first); rethrows the failure when there is no other source.
	 */
	private void next(IOException failure) throws IOException {
		while (true) {
			if (failure != null && this.current + 1 >= this.sources.size()) {
				throw failure;
			}
			if (failure != null) {
				Source failed = this.sources.get(this.current);
				Source next = this.sources.get(this.current + 1);
				String problem = "the " + failed.name() + " object could not be read at byte " + this.position
						+ " of the archive: " + sentence(failure);
				log.error("Backup {} of {}: the {} object {} could not be read at byte {} of the archive: {}; reading it"
						+ " from the {} instead", this.backup.id(), this.backup.databaseId(), failed.name(),
						this.backup.objectKey(), this.position, failure.getMessage(), next.name());
				closeQuietly();
				this.switches.switched(this.backup, problem);
			}
			this.current++;
			try {
				this.stream = this.decrypter.open(this.sources.get(this.current).store(), this.backup, this.position);
				return;
			}
			catch (IntegrityException | UnknownKeyException | BlobStoreException ex) {
				failure = ex;
			}
		}
	}

	/** What went wrong, in words that name no endpoint, bucket or key: it is shown to the backup's owner. */
	static String sentence(IOException failure) {
		if (failure instanceof BlobNotFoundException) {
			return "it is missing from its store";
		}
		if (failure instanceof BlobStoreException storage) {
			return storage.publicMessage();
		}
		return failure.getMessage();
	}

	private void closeQuietly() {
		if (this.stream == null) {
			return;
		}
		try {
			this.stream.close();
		}
		catch (IOException | RuntimeException ex) {
			log.debug("Closing the failed read of backup {}: {}", this.backup.id(), ex.getMessage());
		}
		this.stream = null;
	}

	@Override
	public void close() throws IOException {
		if (this.stream != null) {
			this.stream.close();
		}
	}

}
