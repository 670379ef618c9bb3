package io.coffer.pitr;

import io.coffer.system.PrivateFiles;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The segment of the stream being received, on local disk: the stream's bytes as they came
 * ({@code <replid>-<start>-<id>.stream}) and an index of its commands ({@code .index}: for each, the offset of its last
 * byte, the millisecond it arrived, its kind), both owner only. {@link #sync()} makes what was written durable;
 * the archiver calls it every second.
 * <p>
 * It remembers the last point where it may end: after the last whole command that is not inside a
 * {@code MULTI}/{@code EXEC} block. {@link #seal()} cuts what follows (the start of a command the connection lost,
 * or of a block whose {@code EXEC} never came), so that a restore never replays half a command or half a
 * transaction; the archiver asks the node for those bytes again from {@link #endOffset()}.
 */
final class OpenSegment implements Closeable {

	/** Bytes of one index entry: offset of the command's last byte, arrival (ms since the epoch), kind. */
	static final int INDEX_ENTRY = 8 + 8 + 1;

	final String replid;

	/** Offset of the segment's first byte in the node's stream. */
	final long startOffset;

	/**
	 * Random, this segment's alone: two segments may start at the same offset of the same history (one archived
	 * again after a new base, or by the instance that took the database over), and neither's files or object may
	 * take the other's place.
	 */
	final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());

	final Path streamFile;

	final Path indexFile;

	private final FileChannel streamChannel;

	private final FileChannel indexChannel;

	private final OutputStream stream;

	private final DataOutputStream index;

	private long bytes;

	private int commands;

	private long firstArrival = -1;

	private long lastArrival = -1;

	private boolean unsynced;

	private boolean insideMulti;

	/** Bytes, commands and last arrival up to the last point where the segment may end. */
	private long sealableBytes;

	private int sealableCommands;

	private long sealableLastArrival = -1;

	OpenSegment(Path folder, String replid, long startOffset) throws IOException {
		this.replid = replid;
		this.startOffset = startOffset;
		String name = replid + "-" + String.format("%020d", startOffset) + "-" + this.id;
		this.streamFile = folder.resolve(name + ".stream");
		this.indexFile = folder.resolve(name + ".index");
		this.streamChannel = create(this.streamFile);
		this.indexChannel = create(this.indexFile);
		this.stream = new BufferedOutputStream(Channels.newOutputStream(this.streamChannel), 64 * 1024);
		this.index = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(this.indexChannel), 8 * 1024));
	}

	private static FileChannel create(Path file) throws IOException {
		Files.deleteIfExists(file);
		return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
				PosixFilePermissions.asFileAttribute(PrivateFiles.FILE_MODE));
	}

	/** Where the stream's bytes go as they are read. */
	OutputStream sink() {
		return new OutputStream() {
			@Override
			public void write(int b) throws IOException {
				OpenSegment.this.stream.write(b);
				OpenSegment.this.bytes++;
				OpenSegment.this.unsynced = true;
			}

			@Override
			public void write(byte[] buffer, int offset, int length) throws IOException {
				OpenSegment.this.stream.write(buffer, offset, length);
				OpenSegment.this.bytes += length;
				OpenSegment.this.unsynced = true;
			}
		};
	}

	/** The command whose bytes were just written has ended: it goes into the index. */
	void commandEnded(CommandKind kind, long arrivalMillis) throws IOException {
		this.index.writeLong(this.startOffset + this.bytes - 1);
		this.index.writeLong(arrivalMillis);
		this.index.writeByte(kind.ordinal());
		this.commands++;
		if (this.firstArrival < 0) {
			this.firstArrival = arrivalMillis;
		}
		this.lastArrival = arrivalMillis;
		this.unsynced = true;
		if (kind == CommandKind.MULTI) {
			this.insideMulti = true;
		}
		else if (kind == CommandKind.EXEC) {
			this.insideMulti = false;
		}
		if (!this.insideMulti) {
			this.sealableBytes = this.bytes;
			this.sealableCommands = this.commands;
			this.sealableLastArrival = arrivalMillis;
		}
	}

	/** Whether the last command written opened a {@code MULTI} block that has not ended yet. */
	boolean insideMulti() {
		return this.insideMulti;
	}

	/** The commands the segment holds if it is sealed now: none when it would hold no whole command outside a block. */
	int sealableCommands() {
		return this.sealableCommands;
	}

	/**
	 * Ends the segment at the last whole command outside a {@code MULTI} block, cutting what was written after it,
	 * makes it durable and closes it; {@link #endOffset()} is then where the stream continues from.
	 */
	void seal() throws IOException {
		this.stream.flush();
		this.index.flush();
		if (this.sealableBytes < this.bytes) {
			this.streamChannel.truncate(this.sealableBytes);
			this.indexChannel.truncate((long) this.sealableCommands * INDEX_ENTRY);
			this.bytes = this.sealableBytes;
			this.commands = this.sealableCommands;
			this.lastArrival = this.sealableLastArrival;
			if (this.commands == 0) {
				this.firstArrival = -1;
			}
		}
		this.streamChannel.force(false);
		this.indexChannel.force(false);
		this.unsynced = false;
		close();
	}

	/** Makes every byte and index entry written so far durable; answers whether there was anything new. */
	boolean sync() throws IOException {
		if (!this.unsynced) {
			return false;
		}
		this.stream.flush();
		this.index.flush();
		this.streamChannel.force(false);
		this.indexChannel.force(false);
		this.unsynced = false;
		return true;
	}

	long bytes() {
		return this.bytes;
	}

	int commands() {
		return this.commands;
	}

	long firstArrival() {
		return this.firstArrival;
	}

	long lastArrival() {
		return this.lastArrival;
	}

	/** Offset of the last byte written; once sealed, of the last byte of its last command. */
	long endOffset() {
		return this.startOffset + this.bytes - 1;
	}

	@Override
	public void close() throws IOException {
		try (this.streamChannel; this.indexChannel) {
			this.stream.flush();
			this.index.flush();
		}
	}

	/** Closes it and removes its files. */
	void discard() {
		try {
			close();
		}
		catch (IOException ignored) {
			// its files go anyway
		}
		try {
			Files.deleteIfExists(this.streamFile);
			Files.deleteIfExists(this.indexFile);
		}
		catch (IOException ignored) {
			// left for the next start, which clears the folder
		}
	}

}
