/**
 * Key rotation as an operation: a new key-encryption key for new objects on every instance
 * ({@link io.coffer.keyring.KeyringOperations}), the {@code rewrapKeysJob} that re-wraps the data key of
 * every stored backup and re-seals the catalogue's secrets with it, and the retirement of an old key
 * once nothing uses it.
 */
package io.coffer.keyring;
