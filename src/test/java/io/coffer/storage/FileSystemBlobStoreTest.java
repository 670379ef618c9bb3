package io.coffer.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FileSystemBlobStoreTest extends BlobStoreContractTest {

	@TempDir
	Path folder;

	private FileSystemBlobStore store;

	@BeforeEach
	void createStore() throws IOException {
		this.store = new FileSystemBlobStore(this.folder.resolve("objects")).start();
	}

	@Override
	BlobStore blobStore() {
		return this.store;
	}

	@Test
	void keysThatLeaveTheFolderAreRejected() {
		for (String key : new String[] { "../outside", "db/../../outside", "/etc/passwd", "db/./x", "db//x", "", "db/" }) {
			assertThatIllegalArgumentException().as(key).isThrownBy(() -> this.store.openUpload(key));
			assertThatIllegalArgumentException().as(key).isThrownBy(() -> this.store.stat(key));
			assertThatIllegalArgumentException().as(key).isThrownBy(() -> this.store.delete(key));
		}
		assertThat(this.folder.resolve("outside")).doesNotExist();
	}

	@Test
	void uploadWritesBesideItsTargetAndRenamesOnCompletion() throws IOException {
		BlobUpload upload = this.store.openUpload("db/blob");
		upload.write(randomBytes(10, 1));

		try (var files = Files.list(this.folder.resolve("objects/db"))) {
			assertThat(files).singleElement()
				.satisfies(file -> assertThat(file.getFileName().toString()).startsWith(".upload-").endsWith(".tmp"));
		}

		upload.complete();

		try (var files = Files.list(this.folder.resolve("objects/db"))) {
			assertThat(files).containsExactly(this.folder.resolve("objects/db/blob"));
		}
	}

	@Test
	void filesThatMerelyLookLikeUploadsAreOrdinaryBlobs() throws IOException {
		Files.createDirectories(this.folder.resolve("objects/db"));
		Files.writeString(this.folder.resolve("objects/db/.upload-x.tmp"), "not an upload");

		assertThat(this.store.pendingUploads("")).isEmpty();
		assertThat(this.store.list("db/")).extracting(BlobInfo::key).containsExactly("db/.upload-x.tmp");
	}

	@Test
	void missingFolderIsReported() {
		FileSystemBlobStore missing = new FileSystemBlobStore(this.folder.resolve("nowhere"));

		org.assertj.core.api.Assertions.assertThatThrownBy(missing::checkReachable)
			.isInstanceOf(BlobStoreException.class)
			.hasMessageContaining("does not exist");
	}

}
