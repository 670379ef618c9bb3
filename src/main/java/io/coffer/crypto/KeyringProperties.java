package io.coffer.crypto;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the key-encryption keys are.
 * @param keyring keyring file of key-encryption keys; {@code <data-dir>/keyring}, generated, when not set.
 * Back it up (again after each {@code coffer keyring rotate} or {@code retire}): without it no backup can be
 * read. Every instance of a cluster uses the same file, writable by the service for rotations; a change is
 * seen by every instance at its next object
 */
@ConfigurationProperties("coffer")
public record KeyringProperties(Path keyring) {

	boolean isConfigured() {
		return this.keyring != null;
	}

}
