package io.coffer.keyring;

import io.coffer.system.Unavailable;

/** The keyring file could not be changed. */
public class KeyringUnwritable extends Unavailable {

	public KeyringUnwritable(String message, Throwable cause) {
		super("keyring_unwritable", message, cause);
	}

}
