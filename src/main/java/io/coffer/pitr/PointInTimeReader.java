package io.coffer.pitr;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.PitrRepository;
import io.coffer.catalog.ReplicationPosition;
import io.coffer.catalog.RunStatus;
import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.system.PrivateFiles;
import io.coffer.storage.BlobStore;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Reads a database back as of a point in time: the base backup to start from, and the archived commands that
 * follow it up to the last one that arrived at or before that time, never half a {@code MULTI}/{@code EXEC}
 * block. Each segment is downloaded whole to a temporary file and checked against the catalogue's size and
 * SHA-256 before a byte of it is decrypted (the decryption authenticates it once more).
 */
@Component
public class PointInTimeReader {

	private final PitrRepository pitr;

	private final BackupRepository backups;

	private final PointInTimeRecovery recovery;

	private final BlobStore store;

	private final Keyring keyring;

	private final JsonMapper json;

	PointInTimeReader(PitrRepository pitr, BackupRepository backups, PointInTimeRecovery recovery, BlobStore store,
			Keyring keyring, JsonMapper json) {
		this.pitr = pitr;
		this.backups = backups;
		this.recovery = recovery;
		this.store = store;
		this.keyring = keyring;
		this.json = json;
	}

	/** Where a recovery to {@code at} starts ({@code base}) and the segments whose commands it replays, in order. */
	public record Plan(String databaseId, Instant at, Backup base, List<PitrRepository.Segment> segments) {
	}

	/** What a replay sent: its commands and their bytes (what the target's replication offset moves by). */
	public record Replayed(long commands, long bytes) {
	}

	/**
	 * The newest base whose dump is of {@code at} or before ({@link PointInTimeRecovery#datasetTime}) and whose
	 * position the archived segments continue, without a gap, up to {@code at}.
	 * @throws PointInTimeRefused when {@code at} is outside the recoverable window or in a gap
	 */
	public Plan plan(String databaseId, Instant at) {
		PointInTimeRecovery.Status status = this.recovery.status(databaseId);
		for (PointInTimeRecovery.Gap gap : status.gaps()) {
			if (at.isAfter(gap.from()) && at.isBefore(gap.to())) {
				throw new PointInTimeRefused(PointInTimeRefused.IN_GAP, databaseId + " cannot be recovered to " + at
						+ ": it falls in a gap of the archived stream from " + gap.from() + " to " + gap.to() + " ("
						+ gap.why() + "); " + window(status));
			}
		}
		if (status.recoverableFrom() == null || at.isBefore(status.recoverableFrom())
				|| at.isAfter(status.recoverableTo())) {
			throw new PointInTimeRefused(PointInTimeRefused.OUTSIDE_WINDOW,
					databaseId + " cannot be recovered to " + at + ": " + window(status));
		}
		List<PitrRepository.Segment> segments = this.pitr.segments(databaseId);
		for (Backup base : this.backups.findAll(databaseId)) {
			if (base.status() != RunStatus.DONE || base.replication() == null
					|| PointInTimeRecovery.datasetTime(base).isAfter(at)) {
				continue;
			}
			Optional<List<PitrRepository.Segment>> chain = chain(databaseId, base.replication(), segments, at);
			if (chain.isPresent()) {
				return new Plan(databaseId, at, base, chain.get());
			}
		}
		throw new PointInTimeRefused(PointInTimeRefused.IN_GAP, databaseId + " cannot be recovered to " + at
				+ ": no base backup is continued by the archived stream without a gap up to that time; "
				+ window(status));
	}

	/**
	 * The segments that continue {@code base} up to {@code at}, for a restore that chose it before.
	 * @throws PointInTimeRefused when they no longer do (its segments expired meanwhile)
	 */
	public Plan planFrom(Backup base, Instant at) {
		return chain(base.databaseId(), base.replication(), this.pitr.segments(base.databaseId()), at)
			.map((segments) -> new Plan(base.databaseId(), at, base, segments))
			.orElseThrow(() -> new PointInTimeRefused(PointInTimeRefused.IN_GAP, "the archived stream no longer"
					+ " continues base backup " + base.id() + " up to " + at + "; " + window(
							this.recovery.status(base.databaseId()))));
	}

	private static String window(PointInTimeRecovery.Status status) {
		if (status.recoverableFrom() == null) {
			return "nothing of its stream is archived yet (point-in-time recovery is "
					+ (status.enabled() ? "on" : "off") + ")";
		}
		return "its recoverable window is from " + status.recoverableFrom() + " to " + status.recoverableTo()
				+ ((status.gaps().isEmpty()) ? "" : ", less " + status.gaps().size() + " gap(s)");
	}

	/**
	 * The segments that continue {@code base} byte for byte until one reaches {@code at}; empty when the chain
	 * ends before. A segment of another replication id continues it only through a failover (PSYNC2), never
	 * where a new base was taken: that is a gap.
	 */
	private Optional<List<PitrRepository.Segment>> chain(String databaseId, ReplicationPosition base,
			List<PitrRepository.Segment> segments, Instant at) {
		List<PitrRepository.Segment> chain = new ArrayList<>();
		ReplicationPosition end = base;
		boolean first = true;
		while (true) {
			PitrRepository.Segment next = next(databaseId, end, segments, first).orElse(null);
			if (next == null) {
				return Optional.empty();
			}
			chain.add(next);
			if (!next.lastArrival().isBefore(at)) {
				return Optional.of(chain);
			}
			end = next.end();
			first = false;
		}
	}

	private Optional<PitrRepository.Segment> next(String databaseId, ReplicationPosition end,
			List<PitrRepository.Segment> segments, boolean first) {
		for (PitrRepository.Segment segment : segments) {
			if (segment.startOffset() != end.offset() + 1) {
				continue;
			}
			if (segment.replid().equals(end.replid())) {
				return Optional.of(segment);
			}
			boolean newBase = this.backups
				.findAtPosition(databaseId, new ReplicationPosition(segment.replid(), segment.startOffset() - 1))
				.isPresent();
			if (!first && !newBase) {
				return Optional.of(segment);
			}
		}
		return Optional.empty();
	}

	/**
	 * Writes the plan's commands to {@code out} in the order they were archived, up to the last command that
	 * arrived at or before the plan's time and does not leave a {@code MULTI} open.
	 */
	public Replayed replay(Plan plan, OutputStream out) throws IOException {
		Cut cut = new Cut(plan.at().toEpochMilli());
		for (PitrRepository.Segment segment : plan.segments()) {
			Path local = download(segment);
			try {
				if (!replaySegment(segment, local, cut, out)) {
					break;
				}
			}
			finally {
				Files.deleteIfExists(local);
			}
		}
		return new Replayed(cut.commands, cut.bytes);
	}

	/** The stored object, whole, on local disk, checked against the catalogue before anything reads it. */
	private Path download(PitrRepository.Segment segment) throws IOException {
		Path local = Files.createTempFile("coffer-pitr-", ".seg.enc",
				PosixFilePermissions.asFileAttribute(PrivateFiles.FILE_MODE));
		try {
			MessageDigest sha256 = sha256();
			long size;
			try (InputStream stored = new DigestInputStream(this.store.read(segment.objectKey()), sha256);
					OutputStream file = Files.newOutputStream(local)) {
				size = stored.transferTo(file);
			}
			String digest = HexFormat.of().formatHex(sha256.digest());
			if (size != segment.storedSize() || !digest.equals(segment.storedSha256())) {
				throw new IOException("the stored segment " + segment.objectKey() + " is " + size
						+ " bytes of SHA-256 " + digest + " where the catalogue recorded " + segment.storedSize()
						+ " bytes of " + segment.storedSha256() + ": it was damaged or replaced");
			}
			return local;
		}
		catch (IOException | RuntimeException ex) {
			Files.deleteIfExists(local);
			throw ex;
		}
	}

	/**
	 * Sends the segment's commands that fall within the cut; answers whether the next segment may hold more
	 * (false once a command arrived after the time asked).
	 */
	private boolean replaySegment(PitrRepository.Segment segment, Path local, Cut cut, OutputStream out)
			throws IOException {
		try (DataInputStream in = new DataInputStream(new BufferedInputStream(
				new GZIPInputStream(new DecryptingInputStream(Files.newInputStream(local), this.keyring), 64 * 1024),
				64 * 1024))) {
			String magic = line(in);
			if (!SegmentFormat.MAGIC.equals(magic)) {
				throw new IOException("segment " + segment.objectKey() + " starts with \"" + magic + "\"");
			}
			SegmentFormat.Header header = this.json.readValue(line(in), SegmentFormat.Header.class);
			if (header.startOffset() != segment.startOffset() || header.endOffset() != segment.endOffset()
					|| header.commands() != segment.commands() || !header.replid().equals(segment.replid())) {
				throw new IOException("segment " + segment.objectKey() + " says it holds offsets "
						+ header.startOffset() + " to " + header.endOffset() + " where the catalogue has "
						+ segment.startOffset() + " to " + segment.endOffset());
			}
			// the index first: how far this segment is sent, decided before its bytes are read
			long sendUpTo = segment.startOffset() - 1;
			long safeCommands = 0;
			boolean more = true;
			for (int i = 0; i < header.commands(); i++) {
				long end = in.readLong();
				long arrival = in.readLong();
				int kind = in.readUnsignedByte();
				if (!more) {
					continue;
				}
				if (arrival > cut.atMillis) {
					more = false;
					continue;
				}
				cut.commandsSinceSafe++;
				if (kind == CommandKind.MULTI.ordinal()) {
					cut.inBlock = true;
				}
				else if (kind == CommandKind.EXEC.ordinal()) {
					cut.inBlock = false;
				}
				if (!cut.inBlock) {
					sendUpTo = end;
					safeCommands += cut.commandsSinceSafe;
					cut.commandsSinceSafe = 0;
				}
			}
			long sendBytes = sendUpTo - segment.startOffset() + 1;
			if (sendBytes > 0 || safeCommands > 0) {
				// a block begun in the previous segment has ended within the cut: it goes first, whole
				cut.releaseHeld(out);
			}
			copy(in, out, sendBytes);
			cut.commands += safeCommands;
			cut.bytes += sendBytes;
			if (more && cut.inBlock) {
				// the segment ends inside a block (its archiver's connection dropped there): held until its end is seen
				ByteArrayOutputStream rest = new ByteArrayOutputStream();
				copy(in, rest, segment.endOffset() - sendUpTo);
				cut.hold(rest.toByteArray());
			}
			return more;
		}
	}

	private static void copy(InputStream in, OutputStream out, long count) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		long left = count;
		while (left > 0) {
			int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
			if (read < 0) {
				throw new EOFException("a segment ended " + left + " bytes short of what its index says");
			}
			out.write(buffer, 0, read);
			left -= read;
		}
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int next;
		while ((next = in.read()) != '\n') {
			if (next < 0 || line.size() > 64 * 1024) {
				throw new IOException("a segment's header line is cut or too long");
			}
			line.write(next);
		}
		return line.toString(StandardCharsets.UTF_8);
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Where the replay stands: what was sent, and the start of a block not yet seen to its end. */
	private static final class Cut {

		private final long atMillis;

		private long commands;

		private long bytes;

		private boolean inBlock;

		private long commandsSinceSafe;

		private byte[] held = new byte[0];

		Cut(long atMillis) {
			this.atMillis = atMillis;
		}

		void hold(byte[] more) {
			byte[] joined = java.util.Arrays.copyOf(this.held, this.held.length + more.length);
			System.arraycopy(more, 0, joined, this.held.length, more.length);
			this.held = joined;
		}

		void releaseHeld(OutputStream out) throws IOException {
			out.write(this.held);
			this.bytes += this.held.length;
			this.held = new byte[0];
		}

	}

}
