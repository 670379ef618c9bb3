package io.coffer.storage;

/**
 * There is no blob under the key that was asked for.
 */
public class BlobNotFoundException extends BlobStoreException {

	private final String key;

	public BlobNotFoundException(String key, String where) {
		super("no object '" + key + "' in " + where);
		this.key = key;
	}

	public String getKey() {
		return this.key;
	}

}
