package io.coffer.storage;

import java.io.IOException;

/**
 * The storage failed or refused; the message is a sentence for an operator, such as
 * "object storage at http://minio:9000 is unreachable".
 */
public class BlobStoreException extends IOException {

	private static final String UNNAMED = "object storage failed or could not be reached; the service log has the details";

	private final String publicMessage;

	public BlobStoreException(String message) {
		this(message, UNNAMED, null);
	}

	public BlobStoreException(String message, Throwable cause) {
		this(message, UNNAMED, cause);
	}

	/** @param publicMessage what may be said to anyone, without the endpoint, bucket or key the message names */
	public BlobStoreException(String message, String publicMessage, Throwable cause) {
		super(message, cause);
		this.publicMessage = publicMessage;
	}

	/**
	 * The failure in a sentence that names no endpoint, bucket or key: for answers and for what users read
	 * (a backup's error), while {@link #getMessage()} goes to the log.
	 */
	public String publicMessage() {
		return this.publicMessage;
	}

}
