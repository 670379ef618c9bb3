package io.coffer.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.commons.io.input.BoundedInputStream;

/**
 * A {@link BlobStore} over a folder: a key is a relative path under it. An upload is
 * written to a hidden temporary file beside its target and renamed onto it when complete,
 * so a reader never sees a partial blob.
 */
public class FileSystemBlobStore implements BlobStore {

	private static final String UPLOAD_PREFIX = ".upload-";

	private static final String UPLOAD_SUFFIX = ".tmp";

	private final Path root;

	public FileSystemBlobStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
	}

	/** Create the folder if it is missing, as {@link S3BlobStore#start()} creates its bucket. */
	public FileSystemBlobStore start() throws IOException {
		Files.createDirectories(this.root);
		return this;
	}

	public Path getRoot() {
		return this.root;
	}

	@Override
	public BlobUpload openUpload(String key) throws IOException {
		Path target = resolve(key);
		Files.createDirectories(target.getParent());
		// The temporary file names its target so that pendingUploads can tell what it was for.
		Path temporary = target.resolveSibling(UPLOAD_PREFIX + UUID.randomUUID() + "-" + target.getFileName() + UPLOAD_SUFFIX);
		FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		return new FileUpload(key, target, temporary, channel);
	}

	/** The temporary file is written in place: any of it can be rewritten before it is moved to its key. */
	@Override
	public BlobUpload openUploadHoldingStart(String key) throws IOException {
		return openUpload(key);
	}

	@Override
	public long heldBackStart() {
		return Long.MAX_VALUE;
	}

	@Override
	public Optional<BlobInfo> stat(String key) throws IOException {
		Path file = resolve(key);
		try {
			BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
			if (!attributes.isRegularFile()) {
				return Optional.empty();
			}
			return Optional.of(new BlobInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant(), null));
		}
		catch (NoSuchFileException ex) {
			return Optional.empty();
		}
	}

	@Override
	public InputStream read(String key) throws IOException {
		try {
			return Files.newInputStream(existingFile(key));
		}
		catch (NoSuchFileException ex) {
			throw notFound(key);
		}
	}

	@Override
	public InputStream read(String key, long offset, long length) throws IOException {
		checkRange(offset, length);
		SeekableByteChannel channel;
		try {
			channel = Files.newByteChannel(existingFile(key), StandardOpenOption.READ);
		}
		catch (NoSuchFileException ex) {
			throw notFound(key);
		}
		channel.position(offset);
		return BoundedInputStream.builder().setInputStream(Channels.newInputStream(channel)).setMaxCount(length).get();
	}

	@Override
	public List<BlobInfo> list(String prefix) throws IOException {
		List<BlobInfo> blobs = new ArrayList<>();
		if (!Files.isDirectory(this.root)) {
			return blobs;
		}
		try (Stream<Path> files = Files.walk(this.root)) {
			for (Path file : (Iterable<Path>) files::iterator) {
				if (isUploadInProgress(file)) {
					continue;
				}
				String key = keyOf(file);
				if (key.startsWith(prefix) && Files.isRegularFile(file)) {
					stat(key).ifPresent(blobs::add);
				}
			}
		}
		blobs.sort(Comparator.comparing(BlobInfo::key));
		return blobs;
	}

	@Override
	public void delete(String key) throws IOException {
		Path file = resolve(key);
		Files.deleteIfExists(file);
		removeEmptyFolders(file.getParent());
	}

	@Override
	public List<PendingUpload> pendingUploads(String prefix) throws IOException {
		List<PendingUpload> uploads = new ArrayList<>();
		if (!Files.isDirectory(this.root)) {
			return uploads;
		}
		try (Stream<Path> files = Files.walk(this.root)) {
			for (Path file : (Iterable<Path>) files::iterator) {
				if (!isUploadInProgress(file)) {
					continue;
				}
				String name = file.getFileName().toString();
				// .upload-<36 chars of uuid>-<target name>.tmp
				String targetName = name.substring(UPLOAD_PREFIX.length() + 37, name.length() - UPLOAD_SUFFIX.length());
				String key = keyOf(file.resolveSibling(targetName));
				if (key.startsWith(prefix)) {
					uploads.add(new PendingUpload(key, keyOf(file), Files.getLastModifiedTime(file).toInstant()));
				}
			}
		}
		uploads.sort(Comparator.comparing(PendingUpload::key));
		return uploads;
	}

	@Override
	public void abortPending(PendingUpload upload) throws IOException {
		Path temporary = resolve(upload.uploadId());
		if (!isUploadInProgress(temporary)) {
			throw new IllegalArgumentException("'" + upload.uploadId() + "' is not an upload of " + this.root);
		}
		Files.deleteIfExists(temporary);
		removeEmptyFolders(temporary.getParent());
	}

	@Override
	public void checkReachable() throws IOException {
		if (!Files.isDirectory(this.root)) {
			throw new BlobStoreException("storage folder " + this.root + " does not exist");
		}
		if (!Files.isWritable(this.root)) {
			throw new BlobStoreException("storage folder " + this.root + " is not writable");
		}
	}

	@Override
	public String toString() {
		return "storage folder " + this.root;
	}

	private Path resolve(String key) {
		if (key == null || key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.endsWith("/")) {
			throw new IllegalArgumentException("invalid key '" + key + "': expected a relative path such as 'my-app-3030/backup.tar.gz.enc'");
		}
		for (String segment : key.split("/")) {
			if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
				throw new IllegalArgumentException("invalid key '" + key + "': empty, '.' and '..' segments are not allowed");
			}
		}
		Path resolved = this.root.resolve(key).normalize();
		if (!resolved.startsWith(this.root) || resolved.equals(this.root)) {
			throw new IllegalArgumentException("invalid key '" + key + "': it leaves " + this.root);
		}
		return resolved;
	}

	private Path existingFile(String key) throws NoSuchFileException {
		Path file = resolve(key);
		if (!Files.isRegularFile(file)) {
			throw new NoSuchFileException(file.toString());
		}
		return file;
	}

	private BlobNotFoundException notFound(String key) {
		return new BlobNotFoundException(key, toString());
	}

	private String keyOf(Path file) {
		return this.root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
	}

	private static boolean isUploadInProgress(Path file) {
		String name = file.getFileName().toString();
		return name.startsWith(UPLOAD_PREFIX) && name.endsWith(UPLOAD_SUFFIX)
				&& name.length() > UPLOAD_PREFIX.length() + 37 + UPLOAD_SUFFIX.length();
	}

	private void removeEmptyFolders(Path folder) throws IOException {
		Path current = folder;
		while (current != null && current.startsWith(this.root) && !current.equals(this.root)) {
			try {
				Files.deleteIfExists(current);
			}
			catch (DirectoryNotEmptyException ex) {
				return;
			}
			current = current.getParent();
		}
	}

	static void checkRange(long offset, long length) {
		if (offset < 0 || length <= 0) {
			throw new IllegalArgumentException("invalid range: offset " + offset + ", length " + length);
		}
	}

	private final class FileUpload extends BlobUpload {

		private final String key;

		private final Path target;

		private final Path temporary;

		private final FileChannel channel;

		private final OutputStream out;

		private long written;

		private StoredBlob stored;

		private boolean aborted;

		FileUpload(String key, Path target, Path temporary, FileChannel channel) {
			this.key = key;
			this.target = target;
			this.temporary = temporary;
			this.channel = channel;
			this.out = Channels.newOutputStream(channel);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			checkWritable();
			try {
				this.out.write(bytes, offset, length);
			}
			catch (IOException ex) {
				abortQuietly();
				throw new BlobStoreException("could not write '" + this.key + "' in " + FileSystemBlobStore.this + ": " + ex.getMessage(), ex);
			}
			this.written += length;
		}

		@Override
		public void rewriteStart(long position, byte[] bytes) throws IOException {
			checkWritable();
			if (position < 0 || position + bytes.length > this.written) {
				throw new IOException("upload of '" + this.key + "' can rewrite only the " + this.written
						+ " bytes written, not " + bytes.length + " at " + position);
			}
			try {
				ByteBuffer patch = ByteBuffer.wrap(bytes);
				while (patch.hasRemaining()) {
					this.channel.write(patch, position + patch.position());
				}
			}
			catch (IOException ex) {
				abortQuietly();
				throw new BlobStoreException("could not write '" + this.key + "' in " + FileSystemBlobStore.this + ": " + ex.getMessage(), ex);
			}
		}

		@Override
		public StoredBlob complete() throws IOException {
			if (this.stored != null) {
				return this.stored;
			}
			checkWritable();
			try {
				// Durable before visible: a crash after the rename must not leave a torn blob.
				this.channel.force(true);
				this.channel.close();
				move();
				this.stored = new StoredBlob(this.key, Files.size(this.target), null);
				return this.stored;
			}
			catch (IOException ex) {
				abortQuietly();
				throw new BlobStoreException("could not store '" + this.key + "' in " + FileSystemBlobStore.this + ": " + ex.getMessage(), ex);
			}
		}

		private void move() throws IOException {
			try {
				Files.move(this.temporary, this.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(this.temporary, this.target, StandardCopyOption.REPLACE_EXISTING);
			}
		}

		@Override
		public void abort() throws IOException {
			this.aborted = true;
			this.channel.close();
			Files.deleteIfExists(this.temporary);
			if (this.stored != null) {
				Files.deleteIfExists(this.target);
			}
			removeEmptyFolders(this.target.getParent());
		}

		private void abortQuietly() {
			try {
				abort();
			}
			catch (IOException ignored) {
				// the temporary file is listed by pendingUploads for housekeeping
			}
		}

		private void checkWritable() throws IOException {
			if (this.aborted) {
				throw new IOException("upload of '" + this.key + "' was aborted");
			}
			if (this.stored != null) {
				throw new IOException("upload of '" + this.key + "' is already complete");
			}
		}

		@Override
		public String key() {
			return this.key;
		}

		@Override
		public long bytesWritten() {
			return this.written;
		}

		@Override
		public boolean isAborted() {
			return this.aborted;
		}

	}

}
