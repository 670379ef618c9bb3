package io.coffer.backup;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

import io.coffer.catalog.Database;

/** Ids, file names and object keys of backups, as users and operators see them. */
final class BackupNames {

	private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
		.withZone(ZoneOffset.UTC);

	private static final SecureRandom random = new SecureRandom();

	private BackupNames() {
	}

	/** 24 hex digits: the creation second, then random bits, so ids sort roughly by time. */
	static String newId(Instant createdAt) {
		byte[] tail = new byte[8];
		random.nextBytes(tail);
		return String.format("%08x", createdAt.getEpochSecond()) + HexFormat.of().formatHex(tail);
	}

	/** The download's name, like {@code 20231207000608_my_app_4553.tar.gz}. */
	static String fileName(Database database, Instant createdAt) {
		return STAMP.format(createdAt) + "_" + database.app().replace('-', '_') + "_" + database.number() + ".tar.gz";
	}

	/** Where the encrypted archive is stored: under the database's folder, the file name plus {@code .enc}. */
	static String objectKey(Database database, Instant createdAt) {
		return database.id() + "/" + fileName(database, createdAt) + ".enc";
	}

}
