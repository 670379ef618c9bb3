package io.coffer.pitr;

/**
 * A sealed segment as it is stored (gzip inside the backups' envelope, AES-256-GCM segments under a data key
 * wrapped by the keyring): the line {@code COFFER-PITR-SEGMENT 1}, a JSON line ({@link Header}), then the index
 * ({@code commands} entries of {@link OpenSegment#INDEX_ENTRY} bytes: offset of the command's last byte, arrival
 * in ms since the epoch, kind as {@link CommandKind}'s ordinal), then the stream's bytes.
 */
final class SegmentFormat {

	static final String MAGIC = "COFFER-PITR-SEGMENT 1";

	/**
	 * Objects of segments: {@code pitr/<database>/<replid>/<start offset, 20 digits>-<segment id>.seg.enc}, the
	 * segment's random id making each key its own (segments stored before it was added have none; every key is
	 * read from the catalogue's row, never rebuilt).
	 */
	static String objectKey(String databaseId, OpenSegment segment) {
		return io.coffer.catalog.PitrRepository.OBJECT_PREFIX + databaseId + "/" + segment.replid + "/"
				+ String.format("%020d", segment.startOffset) + "-" + segment.id + ".seg.enc";
	}

	record Header(String databaseId, String replid, long startOffset, long endOffset, int commands,
			long firstArrivalMs, long lastArrivalMs, long indexBytes, long streamBytes) {
	}

	private SegmentFormat() {
	}

}
