package io.coffer.crypto;

/**
 * Where things are in a stored object, for HTTP range downloads and exact
 * {@code Content-Length}s: a {@link ObjectHeader#LENGTH}-byte header, then segments of
 * {@link #SEGMENT_SIZE} plaintext bytes plus a 16-byte tag each; only the last segment
 * may be shorter (and is empty when the plaintext is).
 */
public final class EncryptedLayout {

	public static final int SEGMENT_SIZE = ObjectHeader.SEGMENT_SIZE;

	public static final int TAG_LENGTH = KeyEncryptionKey.TAG_LENGTH;

	private static final long STORED_SEGMENT_SIZE = SEGMENT_SIZE + TAG_LENGTH;

	private EncryptedLayout() {
	}

	public static int headerLength() {
		return ObjectHeader.LENGTH;
	}

	public static long segmentCount(long plaintextLength) {
		return Math.max(1, ceilDiv(plaintextLength, SEGMENT_SIZE));
	}

	public static long storedLength(long plaintextLength) {
		return headerLength() + plaintextLength + segmentCount(plaintextLength) * TAG_LENGTH;
	}

	/**
	 * The plaintext length of a stored object of {@code storedLength} bytes.
	 * @throws IllegalArgumentException if no object of this format has that length
	 */
	public static long plaintextLength(long storedLength) {
		long segmentsLength = storedLength - headerLength();
		long lastStoredSegment = segmentsLength % STORED_SEGMENT_SIZE;
		if (segmentsLength < TAG_LENGTH || (lastStoredSegment > 0 && lastStoredSegment < TAG_LENGTH)) {
			throw new IllegalArgumentException("no encrypted object is " + storedLength + " bytes long");
		}
		long segments = ceilDiv(segmentsLength, STORED_SEGMENT_SIZE);
		return segmentsLength - segments * TAG_LENGTH;
	}

	public static long segmentIndexOf(long plaintextOffset) {
		return plaintextOffset / SEGMENT_SIZE;
	}

	public static long plaintextOffsetOfSegment(long segmentIndex) {
		return segmentIndex * SEGMENT_SIZE;
	}

	public static long storedOffsetOfSegment(long segmentIndex) {
		return headerLength() + segmentIndex * STORED_SEGMENT_SIZE;
	}

	private static long ceilDiv(long dividend, long divisor) {
		return (dividend + divisor - 1) / divisor;
	}

}
