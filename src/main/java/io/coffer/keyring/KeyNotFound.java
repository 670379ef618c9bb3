package io.coffer.keyring;

import io.coffer.system.NotFound;

/** The keyring holds no key-encryption key of this id. */
public class KeyNotFound extends NotFound {

	/** @param what the key, as a sentence names it: {@code "key 2024-01"} */
	public KeyNotFound(String what) {
		super(what);
	}

}
