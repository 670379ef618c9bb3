package io.coffer.storage;

import io.coffer.system.Unavailable;

/** Object storage failed. The sentence names no endpoint, bucket or key: those stay in the log, with the cause. */
public class StorageUnavailable extends Unavailable {

	public static final String SENTENCE = "the backup storage cannot be reached just now; try again shortly";

	public StorageUnavailable(BlobStoreException cause) {
		super("storage_unavailable", SENTENCE, cause);
	}

}
