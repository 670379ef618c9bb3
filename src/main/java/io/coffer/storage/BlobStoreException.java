package io.coffer.storage;

import java.io.IOException;

/**
 * The storage failed or refused; the message is a sentence for an operator, such as
 * "object storage at http://minio:9000 is unreachable".
 */
public class BlobStoreException extends IOException {

	public BlobStoreException(String message) {
		super(message);
	}

	public BlobStoreException(String message, Throwable cause) {
		super(message, cause);
	}

}
