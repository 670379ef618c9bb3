package io.coffer.keyring;

import io.coffer.system.Conflict;

/** The key still wraps data keys (of backups, restores in flight or webhooks waiting): it cannot be removed yet. */
public class KeyInUse extends Conflict {

	public KeyInUse(String message) {
		super("key_in_use", message);
	}

}
