package io.coffer.pitr;

import io.coffer.catalog.PitrRepository;
import io.coffer.crypto.EncryptingOutputStream;
import io.coffer.crypto.KeyEncryptionKey;
import io.coffer.crypto.Keyring;
import io.coffer.pipeline.DigestingOutputStream;
import io.coffer.storage.BlobStore;
import io.coffer.storage.BlobUpload;
import io.coffer.storage.StoredBlob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Stores a sealed segment ({@link SegmentFormat}) and records it in the catalogue; only then are its local
 * files removed. An upload that fails leaves the files, to be tried again.
 */
@Component
class SegmentUploader {

	private final BlobStore store;

	private final Keyring keyring;

	private final PitrRepository pitr;

	private final JsonMapper json;

	private final PitrMetrics metrics;

	SegmentUploader(BlobStore store, Keyring keyring, PitrRepository pitr, JsonMapper json, PitrMetrics metrics) {
		this.store = store;
		this.keyring = keyring;
		this.pitr = pitr;
		this.json = json;
		this.metrics = metrics;
	}

	/** Uploads a closed segment holding at least one command, records it, removes its files. */
	PitrRepository.Segment upload(String databaseId, OpenSegment segment) throws IOException {
		String key = SegmentFormat.objectKey(databaseId, segment);
		SegmentFormat.Header header = new SegmentFormat.Header(databaseId, segment.replid, segment.startOffset,
				segment.endOffset(), segment.commands(), segment.firstArrival(), segment.lastArrival(),
				Files.size(segment.indexFile), Files.size(segment.streamFile));
		KeyEncryptionKey kek = this.keyring.newest();
		BlobUpload upload = this.store.openUpload(key);
		StoredBlob stored;
		DigestingOutputStream digest = new DigestingOutputStream(upload);
		try {
			OutputStream gzip = new GZIPOutputStream(new EncryptingOutputStream(digest, kek), 64 * 1024);
			gzip.write((SegmentFormat.MAGIC + "\n").getBytes(StandardCharsets.US_ASCII));
			gzip.write(this.json.writeValueAsBytes(header));
			gzip.write('\n');
			try (InputStream index = Files.newInputStream(segment.indexFile);
					InputStream stream = Files.newInputStream(segment.streamFile)) {
				index.transferTo(gzip);
				stream.transferTo(gzip);
			}
			gzip.close();
			stored = upload.complete();
		}
		catch (IOException | RuntimeException ex) {
			try {
				upload.abort();
			}
			catch (IOException | RuntimeException abort) {
				ex.addSuppressed(abort);
			}
			throw ex;
		}
		if (stored.size() != digest.size()) {
			this.store.delete(key);
			throw new IOException("object storage holds " + stored.size() + " bytes of a segment where "
					+ digest.size() + " were written");
		}
		PitrRepository.Segment recorded = new PitrRepository.Segment(0, databaseId, segment.replid,
				segment.startOffset, segment.endOffset(), Instant.ofEpochMilli(segment.firstArrival()),
				Instant.ofEpochMilli(segment.lastArrival()), segment.commands(), key, digest.size(),
				digest.sha256Hex(), kek.id());
		this.pitr.insertSegment(recorded);
		this.metrics.archived(databaseId, recorded.endOffset() - recorded.startOffset() + 1);
		segment.discard();
		return recorded;
	}

}
