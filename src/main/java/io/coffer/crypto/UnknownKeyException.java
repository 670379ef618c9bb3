package io.coffer.crypto;

import java.io.IOException;

/**
 * The key-encryption key named by an object or a sealed text is not in the keyring.
 */
public class UnknownKeyException extends IOException {

	private final String keyId;

	public UnknownKeyException(String keyId) {
		super("object encrypted with key " + keyId + ", which is not in the keyring");
		this.keyId = keyId;
	}

	public String getKeyId() {
		return this.keyId;
	}

}
