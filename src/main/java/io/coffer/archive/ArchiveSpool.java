package io.coffer.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Passes bytes on unchanged and keeps a copy in an owner-only file, so that a stream whose start is
 * rewritten at its end (a diskless backup's tar header) can still be counted and digested in order once
 * it is complete. Closing it ends the copy, not the next stream; {@link #delete()} removes the file,
 * whatever happened.
 */
final class ArchiveSpool extends OutputStream {

	private static final int READ_BUFFER = 1024 * 1024;

	private final OutputStream next;

	private final Path file;

	private final FileChannel channel;

	private long size;

	private boolean closed;

	private ArchiveSpool(OutputStream next, Path file, FileChannel channel) {
		this.next = next;
		this.file = file;
		this.channel = channel;
	}

	/** A spool in {@code folder} (created owner-only when missing) in front of {@code next}. */
	static ArchiveSpool create(Path folder, String prefix, OutputStream next) throws IOException {
		Objects.requireNonNull(next, "next");
		if (!Files.isDirectory(folder)) {
			Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		}
		Path file = Files.createTempFile(folder, prefix, ".spool",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		try {
			return new ArchiveSpool(next, file, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ));
		}
		catch (IOException | RuntimeException ex) {
			Files.deleteIfExists(file);
			throw ex;
		}
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, bytes.length);
		if (this.closed) {
			throw new IOException("the spool " + this.file.getFileName() + " is closed");
		}
		this.next.write(bytes, offset, length);
		ByteBuffer copy = ByteBuffer.wrap(bytes, offset, length);
		while (copy.hasRemaining()) {
			this.channel.write(copy);
		}
		this.size += length;
	}

	/** Replaces bytes of the copy at {@code position}; the next stream is the caller's to rewrite. */
	void rewrite(long position, byte[] bytes) throws IOException {
		if (position < 0 || position + bytes.length > this.size) {
			throw new IOException("rewriting " + bytes.length + " bytes at " + position + " of a spool of " + this.size);
		}
		ByteBuffer patch = ByteBuffer.wrap(bytes);
		while (patch.hasRemaining()) {
			this.channel.write(patch, position + patch.position());
		}
	}

	@Override
	public void flush() throws IOException {
		this.next.flush();
	}

	/** Ends the copy; the next stream stays open. */
	@Override
	public void close() {
		this.closed = true;
	}

	long size() {
		return this.size;
	}

	Path file() {
		return this.file;
	}

	/** Lower-case hex SHA-256 of the copy as it is now, read from the start. */
	String sha256Hex() throws IOException {
		MessageDigest sha256 = MeasuringInputStream.sha256();
		ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
		long position = 0;
		while (position < this.size) {
			buffer.clear();
			int read = this.channel.read(buffer, position);
			if (read < 0) {
				throw new IOException("the spool " + this.file.getFileName() + " ended after " + position + " of " + this.size + " bytes");
			}
			sha256.update(buffer.array(), 0, read);
			position += read;
		}
		return HexFormat.of().formatHex(sha256.digest());
	}

	/** Removes the file; idempotent. */
	void delete() throws IOException {
		this.closed = true;
		try {
			this.channel.close();
		}
		finally {
			Files.deleteIfExists(this.file);
		}
	}

}
