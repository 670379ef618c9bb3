package io.coffer.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import io.coffer.system.PrivateFiles;
import io.coffer.system.ServiceProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class KeyringConfiguration {

	private static final Logger log = LoggerFactory.getLogger(KeyringConfiguration.class);

	/**
	 * The keyring at {@code coffer.keyring}. A configured keyring must exist: starting with a fresh one
	 * would make every existing backup unreadable. Only the embedded default generates its own.
	 */
	@Bean
	Keyring keyring(KeyringProperties properties, ServiceProperties service) throws IOException {
		Path file = (properties.isConfigured() ? properties.keyring() : service.dataDir().resolve("keyring"))
			.toAbsolutePath();
		if (Files.exists(file)) {
			warnIfOthersMayRead(file);
			return Keyring.load(file);
		}
		if (properties.isConfigured()) {
			throw new IllegalStateException("coffer.keyring (COFFER_KEYRING) points at " + file
					+ ", which does not exist. Restore the keyring file there: without it no backup can be read.");
		}
		if (!Files.isDirectory(file.getParent())) {
			PrivateFiles.folder(file.getParent());
		}
		Keyring keyring = Keyring.generate(file);
		log.warn("""

				==> Generated a new keyring at {}
				    Every backup is encrypted with its keys: BACK THIS FILE UP, apart from the backups.
				    Without it no backup can ever be decrypted.
				""", file);
		return keyring;
	}

	/** Its keys open every backup: a keyring others may read is said loudly, not changed behind one's back. */
	private static void warnIfOthersMayRead(Path file) throws IOException {
		if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
			return;
		}
		Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
		if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
			log.warn("The keyring {} may be read by other users of this machine (mode {}), and its keys open every "
					+ "backup: chmod 600 {}", file, PosixFilePermissions.toString(mode), file);
		}
	}

}
