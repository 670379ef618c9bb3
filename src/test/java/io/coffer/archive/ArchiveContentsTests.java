package io.coffer.archive;

import io.coffer.restore.RdbVersions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.coffer.catalog.Backup;
import io.coffer.catalog.RunStatus;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Only {@code dump.rdb} then {@code backup.json}, as plain files, are read from an archive. */
class ArchiveContentsTests {

	private static final Backup BACKUP = new Backup("b1", "db-1", Instant.EPOCH, "x.tar.gz", RunStatus.DONE, "manual",
			null, "db-1/x.tar.gz.enc", 1L, "00", 1L, "00", "k", "7.0.15", 10, null, null, 0, null, null, null, null,
			null, null, null, Backup.Copy.NONE, null);

	@ParameterizedTest
	@CsvSource({ "../dump.rdb", "/etc/dump.rdb", "a/../../dump.rdb", "backup.json" })
	void entriesWithUnsafeOrUnexpectedNamesAreRefused(String name) throws IOException {
		byte[] archive = archive(entry(name, TarArchiveEntry.LF_NORMAL));
		assertThatExceptionOfType(ArchiveContents.ArchiveCheckException.class)
			.isThrownBy(() -> ArchiveContents.of(new ByteArrayInputStream(archive), BACKUP, 10))
			.withMessageContaining(name);
	}

	@Test
	void linksAreRefused() throws IOException {
		TarArchiveEntry link = new TarArchiveEntry("dump.rdb", TarArchiveEntry.LF_SYMLINK);
		link.setLinkName("/etc/passwd");
		byte[] archive = archive(link);
		assertThatExceptionOfType(ArchiveContents.ArchiveCheckException.class)
			.isThrownBy(() -> ArchiveContents.of(new ByteArrayInputStream(archive), BACKUP, 10))
			.withMessageContaining("not a plain file");
	}

	@Test
	void anUploadsFirstFileIsItsDumpInWhateverFolderAndNothingElseIs() throws IOException {
		byte[] inFolder = archive(entry("exported/dump.rdb", TarArchiveEntry.LF_NORMAL));
		byte[] other = archive(entry("notes.txt", TarArchiveEntry.LF_NORMAL));

		ArchiveContents.UploadedDump dump = ArchiveContents.firstDump(new ByteArrayInputStream(inFolder));

		assertThat(dump.size()).isEqualTo(4);
		assertThat(new String(dump.stream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("REDI");
		assertThatExceptionOfType(ArchiveContents.ArchiveCheckException.class)
			.isThrownBy(() -> ArchiveContents.firstDump(new ByteArrayInputStream(other)))
			.withMessage("the archive's first file is \"notes.txt\": it must be dump.rdb");
	}

	@ParameterizedTest
	@CsvSource({ "2.8.24, 6", "3.2.12, 7", "4.0.14, 8", "5.0.14, 9", "6.2.14, 9", "7.0.15, 10", "7.2.4, 11",
			"7.4.1, 12", "8.0.2, 12", "8.2.1, 12", "8.4.0, 12", "8.6.0, 13", "valkey 8.0.1, 11", "valkey 9.0.0, 80" })
	void eachRedisVersionReadsTheRdbVersionsItKnows(String redisVersion, int maxRdb) {
		assertThat(RdbVersions.maxLoadable(redisVersion)).isEqualTo(maxRdb);
	}

	@ParameterizedTest
	@CsvSource({ "7.0.15, 10, true", "7.0.15, 11, false", "valkey 8.0.1, 11, true", "valkey 8.0.1, 12, false",
			"valkey 9.0.0, 80, true", "valkey 9.0.0, 12, false", "valkey 9.0.0, 11, true", "8.0.2, 80, false", "8.2.1, 13, false", "8.6.0, 13, true" })
	void eachEngineLoadsTheFormatsItKnows(String engine, int rdbVersion, boolean loads) {
		assertThat(RdbVersions.loads(engine, rdbVersion)).isEqualTo(loads);
	}

	private static TarArchiveEntry entry(String name, byte type) {
		TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
		entry.setSize(4);
		return entry;
	}

	private static byte[] archive(TarArchiveEntry entry) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			tar.putArchiveEntry(entry);
			if (entry.getSize() > 0) {
				tar.write("REDI".getBytes(StandardCharsets.US_ASCII));
			}
			tar.closeArchiveEntry();
		}
		return bytes.toByteArray();
	}

}
