package io.coffer.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link BlobStore} must do; each implementation's test extends this class and
 * says how to build its store.
 */
abstract class BlobStoreContractTest {

	/** S3's smallest part: keeps a several-part upload fast. */
	static final int PART_SIZE = 5 * 1024 * 1024;

	/** The store under test, empty at the start of each test. */
	abstract BlobStore blobStore();

	@Test
	void uploadOfSeveralPartsReadsBackTheSameBytes() throws IOException {
		byte[] content = randomBytes(2 * PART_SIZE + 1234, 1);

		StoredBlob stored;
		try (BlobUpload upload = blobStore().openUpload("my-app-3030/20231207000608_my_app_4553.tar.gz.enc")) {
			writeInOddChunks(upload, content);
			stored = upload.complete();
		}

		assertThat(stored.size()).isEqualTo(content.length);
		assertThat(blobStore().stat("my-app-3030/20231207000608_my_app_4553.tar.gz.enc"))
			.hasValueSatisfying(info -> assertThat(info.size()).isEqualTo(content.length));
		assertThat(readAll(blobStore().read("my-app-3030/20231207000608_my_app_4553.tar.gz.enc"))).isEqualTo(content);
	}

	@Test
	void closingAnUploadCompletesIt() throws IOException {
		byte[] content = randomBytes(1000, 2);

		try (BlobUpload upload = blobStore().openUpload("db/small")) {
			upload.write(content);
		}

		assertThat(readAll(blobStore().read("db/small"))).isEqualTo(content);
	}

	@Test
	void emptyUploadStoresAnEmptyBlob() throws IOException {
		BlobUpload upload = blobStore().openUpload("db/empty");

		assertThat(upload.complete().size()).isZero();
		assertThat(blobStore().stat("db/empty")).hasValueSatisfying(info -> assertThat(info.size()).isZero());
		assertThat(readAll(blobStore().read("db/empty"))).isEmpty();
	}

	@Test
	void uploadOfExactlyOnePartReadsBack() throws IOException {
		byte[] content = randomBytes(PART_SIZE, 3);

		try (BlobUpload upload = blobStore().openUpload("db/one-part")) {
			upload.write(content);
		}

		assertThat(readAll(blobStore().read("db/one-part"))).isEqualTo(content);
	}

	@Test
	void rangeReadsReturnTheRequestedBytes() throws IOException {
		byte[] content = randomBytes(PART_SIZE + 100, 4);
		try (BlobUpload upload = blobStore().openUpload("db/ranges")) {
			upload.write(content);
		}

		assertThat(readAll(blobStore().read("db/ranges", 0, 10))).isEqualTo(Arrays.copyOfRange(content, 0, 10));
		assertThat(readAll(blobStore().read("db/ranges", PART_SIZE - 5, 10)))
			.isEqualTo(Arrays.copyOfRange(content, PART_SIZE - 5, PART_SIZE + 5));
		assertThat(readAll(blobStore().read("db/ranges", content.length - 1, 1)))
			.isEqualTo(new byte[] { content[content.length - 1] });
		assertThat(readAll(blobStore().read("db/ranges", content.length - 50, 1000)))
			.as("a range running past the end stops at the end")
			.isEqualTo(Arrays.copyOfRange(content, content.length - 50, content.length));
	}

	@Test
	void aRangeFromTheEndOnReadsNothing() throws IOException {
		byte[] content = randomBytes(100, 5);
		try (BlobUpload upload = blobStore().openUpload("db/cut")) {
			upload.write(content);
		}

		// what a reader of an object cut short sees: fewer bytes, not a storage failure
		assertThat(readAll(blobStore().read("db/cut", content.length, 1000))).isEmpty();
		assertThat(readAll(blobStore().read("db/cut", content.length + 500, 1000))).isEmpty();
	}

	@Test
	void listingReturnsEveryBlobUnderThePrefixAtAnyDepth() throws IOException {
		store("db-1/a", 10);
		store("db-1/nested/b", 20);
		store("db-10/c", 30);
		store("db-2/d", 40);

		assertThat(blobStore().list("db-1/")).extracting(BlobInfo::key, BlobInfo::size)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("db-1/a", 10L),
					org.assertj.core.groups.Tuple.tuple("db-1/nested/b", 20L));
		assertThat(blobStore().list("db-1")).extracting(BlobInfo::key)
			.containsExactly("db-1/a", "db-1/nested/b", "db-10/c");
		assertThat(blobStore().list("")).extracting(BlobInfo::key)
			.containsExactly("db-1/a", "db-1/nested/b", "db-10/c", "db-2/d");
		assertThat(blobStore().list("db-3/")).isEmpty();
		assertThat(blobStore().list("db-1/")).allSatisfy(info -> assertThat(info.lastModified()).isNotNull());
	}

	@Test
	void deleteRemovesTheBlobAndIsIdempotent() throws IOException {
		store("db/doomed", 10);
		store("db/kept", 10);

		blobStore().delete("db/doomed");
		blobStore().delete("db/doomed");
		blobStore().delete("db/never-existed");

		assertThat(blobStore().stat("db/doomed")).isEmpty();
		assertThat(blobStore().list("")).extracting(BlobInfo::key).containsExactly("db/kept");
	}

	@Test
	void abortLeavesNoBlobAndNoPendingUpload() throws IOException {
		BlobUpload upload = blobStore().openUpload("db/aborted");
		writeInOddChunks(upload, randomBytes(2 * PART_SIZE + PART_SIZE / 2, 5));

		upload.abort();

		assertThat(blobStore().stat("db/aborted")).isEmpty();
		assertThat(blobStore().list("")).isEmpty();
		assertThat(blobStore().pendingUploads("")).isEmpty();
		assertThatThrownBy(() -> upload.write(1)).isInstanceOf(IOException.class).hasMessageContaining("aborted");
		upload.close();
		assertThat(blobStore().stat("db/aborted")).as("closing an aborted upload completes nothing").isEmpty();
	}

	@Test
	void abortAfterCompletionRemovesTheBlob() throws IOException {
		BlobUpload upload = blobStore().openUpload("db/regretted");
		upload.write(randomBytes(100, 6));
		upload.close();

		upload.abort();

		assertThat(blobStore().stat("db/regretted")).isEmpty();
	}

	@Test
	void nothingIsVisibleBeforeCompletion() throws IOException {
		BlobUpload upload = blobStore().openUpload("db/in-progress");
		upload.write(randomBytes(PART_SIZE + 10, 7));

		assertThat(blobStore().stat("db/in-progress")).isEmpty();
		assertThat(blobStore().list("")).isEmpty();

		upload.abort();
	}

	@Test
	void interruptedUploadIsListedAsPendingAndCanBeAbortedByHousekeeping() throws IOException {
		BlobUpload interrupted = blobStore().openUpload("db-1/interrupted");
		interrupted.write(randomBytes(PART_SIZE + 10, 8));
		// An interrupted upload has nothing in flight any more.
		interrupted.flush();
		store("db-2/done", 10);

		assertThat(blobStore().pendingUploads("db-1/")).extracting(PendingUpload::key).containsExactly("db-1/interrupted");
		assertThat(blobStore().pendingUploads("db-2/")).isEmpty();

		for (PendingUpload pending : blobStore().pendingUploads("")) {
			blobStore().abortPending(pending);
		}

		assertThat(blobStore().pendingUploads("")).isEmpty();
		assertThat(blobStore().list("")).extracting(BlobInfo::key).containsExactly("db-2/done");
	}

	@Test
	void statOfAMissingKeyIsEmptyAndReadingItFails() throws IOException {
		assertThat(blobStore().stat("db/missing")).isEmpty();
		assertThatThrownBy(() -> blobStore().read("db/missing")).isInstanceOf(BlobNotFoundException.class)
			.hasMessageContaining("db/missing");
		assertThatThrownBy(() -> blobStore().read("db/missing", 0, 10)).isInstanceOf(BlobNotFoundException.class);
	}

	@Test
	void reachableStorageHasNothingToSay() throws IOException {
		blobStore().checkReachable();
	}

	void store(String key, int size) throws IOException {
		try (BlobUpload upload = blobStore().openUpload(key)) {
			upload.write(randomBytes(size, size));
		}
	}

	static byte[] randomBytes(int size, long seed) {
		byte[] bytes = new byte[size];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	/** Chunks that never line up with a part boundary, as a compressor's output would not. */
	static void writeInOddChunks(BlobUpload upload, byte[] content) throws IOException {
		int position = 0;
		int chunk = 65_537;
		while (position < content.length) {
			int length = Math.min(chunk, content.length - position);
			upload.write(content, position, length);
			position += length;
		}
	}

	static byte[] readAll(InputStream in) throws IOException {
		try (in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
			in.transferTo(out);
			return out.toByteArray();
		}
	}

}
