package io.coffer.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.coffer.system.CofferProperties;
import io.coffer.system.PrivateFiles;
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
	Keyring keyring(CofferProperties properties) throws IOException {
		Path file = properties.getKeyring().toAbsolutePath();
		if (Files.exists(file)) {
			return Keyring.load(file);
		}
		if (properties.isKeyringConfigured()) {
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

}
