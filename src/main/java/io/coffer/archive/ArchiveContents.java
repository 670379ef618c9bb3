package io.coffer.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import io.coffer.catalog.Backup;
import io.coffer.pipeline.GzipMembersInputStream;
import io.coffer.pipeline.rdb.RdbCheckingInputStream;
import io.coffer.pipeline.rdb.RdbSummary;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import tools.jackson.databind.json.JsonMapper;

/**
 * One read of a backup's archive, in the order it was written and without a file on disk: the
 * {@code dump.rdb} entry (its size known from the tar header before its bytes), then
 * {@code backup.json}, then the end of the archive, at which point {@link ArchiveReader} has checked
 * the archive's SHA-256 against the catalogue.
 * <p>
 * Only these two entries, in this order, as plain files, are accepted: a name with {@code ../}, an
 * absolute path, a link or anything else fails the read. Nothing is ever written under an entry's name.
 * <p>
 * The one reader of the format ({@link ArchiveFormat}): restores and drills read a done backup's archive
 * against its row; the catalogue's rebuild reads an object no row describes ({@link #read}), and learns
 * from it what the row must say.
 */
public final class ArchiveContents implements AutoCloseable {

	private static final int MAX_MANIFEST_SIZE = ArchiveFormat.MAX_MANIFEST_SIZE;

	/** The catalogue's row that the archive must match, or null when the archive is read to rebuild it. */
	private final Backup backup;

	private final MeasuringInputStream archive;

	private final GzipMembersInputStream gzip;

	private final TarArchiveInputStream tar;

	private final long dumpSize;

	private final RdbCheckingInputStream dump;

	/** The dump as it is read: hashed on its way to whoever receives it. */
	private final DigestInputStream hashedDump;

	/** The dump's SHA-256 once computed: a digest gives its value once. */
	private String dumpSha256;

	/** Where the archive is read from, as {@link ArchiveReader.Archive#source()} says; null for one in the clear. */
	private final ArchiveReader.Archive opened;

	private ArchiveContents(Backup backup, MeasuringInputStream archive, ArchiveReader.Archive opened,
			int maxRdbVersion) throws IOException {
		this.backup = backup;
		this.opened = opened;
		this.archive = archive;
		this.gzip = new GzipMembersInputStream(archive);
		this.tar = new TarArchiveInputStream(this.gzip);
		TarArchiveEntry entry = nextEntry(ArchiveFormat.DUMP);
		this.dumpSize = entry.getSize();
		if (backup != null && backup.rdbSize() != null && this.dumpSize != backup.rdbSize()) {
			throw new ArchiveCheckException("the archive's dump.rdb is " + this.dumpSize + " bytes, not the "
					+ backup.rdbSize() + " bytes recorded for backup " + backup.id());
		}
		// the tar stream ends at the end of the entry; it is never closed through this wrapper
		this.dump = new RdbCheckingInputStream(this.tar, maxRdbVersion, this.dumpSize);
		this.hashedDump = new DigestInputStream(this.dump, MeasuringInputStream.sha256());
	}

	/** Opens the whole archive of a done backup and reads up to the start of its dump. */
	public static ArchiveContents open(ArchiveReader reader, Backup backup, int maxRdbVersion) throws IOException {
		ArchiveReader.Archive stream = reader.open(backup, ArchiveReader.Range.whole(backup));
		try {
			return new ArchiveContents(backup, MeasuringInputStream.counting(stream), stream, maxRdbVersion);
		}
		catch (IOException | RuntimeException ex) {
			stream.close();
			throw ex;
		}
	}

	/** Reads an archive already in the clear, as {@link #open} does after decryption. */
	static ArchiveContents of(InputStream plainArchive, Backup backup, int maxRdbVersion) throws IOException {
		return new ArchiveContents(backup, MeasuringInputStream.counting(plainArchive), null, maxRdbVersion);
	}

	/**
	 * Reads an archive in the clear that no row describes, up to the start of its dump: only the format
	 * and the manifest's own figures are checked then.
	 */
	public static ArchiveContents read(InputStream plainArchive) throws IOException {
		return new ArchiveContents(null, MeasuringInputStream.counting(plainArchive), null,
				ArchiveFormat.NEWEST_RDB_VERSION);
	}

	/**
	 * {@code primary}, or {@code copy} once any of the archive was read from the copy store because the primary
	 * object was missing or damaged; null for an archive handed over in the clear.
	 */
	public String source() {
		return (this.opened != null) ? this.opened.source() : null;
	}

	public long dumpSize() {
		return this.dumpSize;
	}

	/**
	 * Copies the dump into {@code out}, all but its last {@code holdBack} bytes, which are returned:
	 * whoever receives the dump gets them only once {@link #finish} has found the archive sound.
	 */
	public byte[] copyDump(OutputStream out, int holdBack) throws IOException {
		long toSend = this.dumpSize - holdBack;
		if (toSend < 0) {
			throw new ArchiveCheckException("the archive's dump.rdb is too short to be an RDB");
		}
		byte[] buffer = new byte[256 * 1024];
		long sent = 0;
		while (sent < toSend) {
			int read = this.hashedDump.read(buffer, 0, (int) Math.min(buffer.length, toSend - sent));
			if (read < 0) {
				throw new ArchiveCheckException("the archive's dump.rdb ends after " + sent + " of "
						+ this.dumpSize + " bytes");
			}
			out.write(buffer, 0, read);
			sent += read;
		}
		byte[] last = this.hashedDump.readNBytes(holdBack);
		if (last.length != holdBack || this.dump.read() != -1 || !this.dump.isVerified()) {
			throw new ArchiveCheckException("the archive's dump.rdb does not end where its tar header says");
		}
		return last;
	}

	/**
	 * Hands the dump to {@code reader} as a stream that ends where it ends (closing it closes nothing), for a
	 * reader that parses it itself; then checks, as {@link #copyDump} does, that it ended where the tar header
	 * says and parsed whole.
	 */
	public void readDump(DumpReader reader) throws IOException {
		InputStream dump = new java.io.FilterInputStream(this.hashedDump) {

			@Override
			public void close() {
			}

		};
		reader.read(dump);
		if (this.hashedDump.read() != -1 || !this.dump.isVerified()) {
			throw new ArchiveCheckException("the archive's dump.rdb does not end where its tar header says");
		}
	}

	/** Reads a dump from its first byte to its end. */
	@FunctionalInterface
	public interface DumpReader {

		void read(InputStream dump) throws IOException;

	}

	/** The dump's RDB version, once its header has been read. */
	public int rdbVersion() {
		return this.dump.rdbVersion();
	}

	/** What the parse of the dump found (its keys per database), once {@link #copyDump} has copied it. */
	public RdbSummary rdbSummary() {
		return this.dump.summary();
	}

	/** The SHA-256 of the dump, once {@link #copyDump} has copied it. */
	public String dumpSha256() {
		if (this.dumpSha256 == null) {
			this.dumpSha256 = HexFormat.of().formatHex(this.hashedDump.getMessageDigest().digest());
		}
		return this.dumpSha256;
	}

	/**
	 * Reads the manifest and the rest of the archive, which checks the archive as a whole; then checks
	 * the manifest against the catalogue.
	 * @return the manifest
	 */
	public BackupManifest finish(JsonMapper json) throws IOException {
		nextEntry(ArchiveFormat.MANIFEST);
		byte[] manifestBytes = this.tar.readNBytes(MAX_MANIFEST_SIZE + 1);
		if (manifestBytes.length > MAX_MANIFEST_SIZE) {
			throw new ArchiveCheckException("the archive's backup.json is larger than " + MAX_MANIFEST_SIZE + " bytes");
		}
		TarArchiveEntry extra = this.tar.getNextEntry();
		if (extra != null) {
			throw new ArchiveCheckException("the archive holds an unexpected entry \"" + extra.getName()
					+ "\" after backup.json");
		}
		// the rest of the compressed stream, to its very end: that last read is where the SHA-256 of
		// the whole archive is compared with the catalogue's
		this.gzip.transferTo(OutputStream.nullOutputStream());
		this.archive.transferTo(OutputStream.nullOutputStream());
		if (this.backup != null && this.archive.count() != this.backup.archiveSize()) {
			throw new ArchiveCheckException("the archive of backup " + this.backup.id() + " is " + this.archive.count()
					+ " bytes, not the " + this.backup.archiveSize() + " bytes in the catalogue");
		}
		BackupManifest manifest;
		try {
			manifest = json.readValue(manifestBytes, BackupManifest.class);
		}
		catch (RuntimeException ex) {
			throw new ArchiveCheckException("the archive's backup.json cannot be read: " + ex.getMessage());
		}
		check(manifest);
		return manifest;
	}

	private void check(BackupManifest manifest) throws ArchiveCheckException {
		if (manifest.rdbSize() != this.dumpSize) {
			throw new ArchiveCheckException("backup.json says the dump is " + manifest.rdbSize()
					+ " bytes; the archive's dump.rdb is " + this.dumpSize);
		}
		// the dump was hashed as it streamed: the target gets its last bytes only after this comparison
		if (manifest.rdbSha256() != null && !manifest.rdbSha256().equalsIgnoreCase(dumpSha256())) {
			throw new ArchiveCheckException("the archive's dump.rdb has SHA-256 " + dumpSha256()
					+ ", not the " + manifest.rdbSha256() + " its backup.json records");
		}
		if (this.backup != null && this.backup.keysPerDb() != null && manifest.keysPerDb() != null
				&& !new TreeMap<>(this.backup.keysPerDb()).equals(new TreeMap<>(manifest.keysPerDb()))) {
			throw new ArchiveCheckException("backup.json counts keys " + manifest.keysPerDb()
					+ " where the catalogue has " + this.backup.keysPerDb());
		}
	}

	/** Keys per logical database that the target must hold after the restore. */
	public static Map<String, Long> expectedKeys(Backup backup) {
		return (backup.keysPerDb() != null) ? new TreeMap<>(backup.keysPerDb()) : new TreeMap<>();
	}

	private TarArchiveEntry nextEntry(String expected) throws IOException {
		TarArchiveEntry entry = this.tar.getNextEntry();
		if (entry == null) {
			throw new ArchiveCheckException("the archive ends before its " + expected);
		}
		String name = entry.getName();
		if (name.startsWith("/") || name.contains("..") || name.contains("\\")) {
			throw new ArchiveCheckException("the archive holds an entry with an unsafe path \"" + name + "\"");
		}
		if (entry.isSymbolicLink() || entry.isLink() || !entry.isFile()) {
			throw new ArchiveCheckException("the archive's entry \"" + name + "\" is not a plain file");
		}
		if (!expected.equals(name)) {
			throw new ArchiveCheckException("the archive holds \"" + name + "\" where " + expected + " was expected");
		}
		return entry;
	}

	/**
	 * The first file of an uploaded {@code .tar.gz}, which must be {@code dump.rdb}, in a folder or not
	 * (what a backup's download holds, or an archive someone made of a dump): folders before it are
	 * passed over, nothing after it is read.
	 * @throws ArchiveCheckException if the archive holds no file, or another one first
	 * @throws IOException if the upload is not a {@code .tar.gz}
	 */
	public static UploadedDump firstDump(InputStream gzip) throws IOException {
		TarArchiveInputStream tar = new TarArchiveInputStream(new GzipMembersInputStream(gzip));
		TarArchiveEntry entry = tar.getNextEntry();
		while (entry != null && entry.isDirectory()) {
			entry = tar.getNextEntry();
		}
		if (entry == null) {
			throw new ArchiveCheckException("the archive holds no dump.rdb");
		}
		String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
		if (!entry.isFile() || !ArchiveFormat.DUMP.equals(name)) {
			throw new ArchiveCheckException("the archive's first file is \"" + entry.getName()
					+ "\": it must be dump.rdb");
		}
		return new UploadedDump(tar, entry.getSize());
	}

	/** An uploaded dump: its stream ends at the end of its tar entry, after exactly {@code size} bytes. */
	public record UploadedDump(InputStream stream, long size) {
	}

	@Override
	public void close() throws IOException {
		this.dump.stopChecking();
		this.archive.close();
	}

	/** The archive does not hold what a backup's archive holds. */
	public static class ArchiveCheckException extends IOException {

		ArchiveCheckException(String message) {
			super(message);
		}

	}

}
