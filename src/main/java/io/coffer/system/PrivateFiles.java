package io.coffer.system;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Files that hold secrets (passwords, keys, tokens) and the folders they live in, readable by their
 * owner only from their first instant: each file is created with that mode rather than chmod'ed once
 * written, so no other user of the machine can open it in between.
 */
public final class PrivateFiles {

	public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

	public static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");

	private PrivateFiles() {
	}

	/**
	 * Makes {@code folder} and every folder between {@code top} and it (both included) exist, owner only:
	 * those missing are created so, those already there (from an older version) are tightened. A folder
	 * that is not under {@code top} (the data folder moved since it was made) is made private alone.
	 */
	public static void folders(Path top, Path folder) throws IOException {
		Path start = top.toAbsolutePath().normalize();
		Path end = folder.toAbsolutePath().normalize();
		if (!end.startsWith(start)) {
			folder(end);
			return;
		}
		Path current = start;
		folder(current);
		for (Path name : start.relativize(end)) {
			if (name.toString().isEmpty()) {
				continue;
			}
			current = current.resolve(name);
			folder(current);
		}
	}

	/** Makes {@code folder} exist, owner only; its missing parents are created owner only too. */
	public static void folder(Path folder) throws IOException {
		if (!posix(folder)) {
			Files.createDirectories(folder);
			return;
		}
		if (Files.isDirectory(folder)) {
			Files.setPosixFilePermissions(folder, FOLDER_MODE);
			return;
		}
		Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
	}

	/**
	 * Writes the whole file: a temporary file of the owner only beside it, moved over it at once, so that
	 * a reader sees the old content or the new one, and no one else ever any.
	 */
	public static void write(Path file, String content) throws IOException {
		Path target = file.toAbsolutePath();
		Path temporary = posix(target)
				? Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp", fileAttribute())
				: Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
		try {
			Files.writeString(temporary, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
			Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

	/**
	 * Creates the file with this content, owner only, unless it exists: answers false then, and leaves it
	 * as it is (another instance sharing the folder may have written it a moment ago).
	 */
	public static boolean createNew(Path file, String content) throws IOException {
		Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		try (SeekableByteChannel channel = posix(file) ? Files.newByteChannel(file, options, fileAttribute())
				: Files.newByteChannel(file, options)) {
			ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
			while (bytes.hasRemaining()) {
				channel.write(bytes);
			}
			return true;
		}
		catch (FileAlreadyExistsException ex) {
			return false;
		}
	}

	/** Adds to the end of an existing file, made owner only first. */
	public static void append(Path file, String content) throws IOException {
		if (posix(file)) {
			Files.setPosixFilePermissions(file, FILE_MODE);
		}
		Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
	}

	/**
	 * Tightens what a folder holds, written by an older version or loosened since: every folder in it
	 * becomes owner only, every file readable and writable by its owner only. Links are not followed.
	 */
	public static void tighten(Path root) throws IOException {
		if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS) || !posix(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : (Iterable<Path>) paths::iterator) {
				try {
					if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
						Files.setPosixFilePermissions(path, FOLDER_MODE);
					}
					else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
						Files.setPosixFilePermissions(path, FILE_MODE);
					}
				}
				catch (NoSuchFileException ex) {
					// renamed meanwhile, as Redis does with the temporary file of a rewrite
				}
			}
		}
	}

	private static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
		return PosixFilePermissions.asFileAttribute(FILE_MODE);
	}

	private static boolean posix(Path path) {
		return path.getFileSystem().supportedFileAttributeViews().contains("posix");
	}

}
