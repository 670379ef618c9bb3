// Longer than 400 lines because the handshake, both framings of the payload (a length, or an end mark that
// may arrive split) and the errors each names are one conversation with the node, read in one place.
package io.coffer.backup;

import io.coffer.catalog.ReplicationPosition;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.ReplicaAnnouncement;
import io.coffer.redis.RespRequest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Snapshot mode {@code stream}: asks the node for a full synchronisation as a replica
 * would, the way {@code redis-cli --rdb} does, and hands out the RDB as it arrives. Nothing
 * is written to disk on our side; the node writes nothing either when it is configured
 * for diskless replication.
 * <p>
 * It asks with {@code PSYNC ? -1}, whose answer {@code +FULLRESYNC <replid> <offset>} says where the
 * dump stands in the node's replication history (point-in-time recovery continues from there), and
 * falls back to {@code SYNC} on a node that does not know {@code PSYNC}.
 */
public final class ReplicationStreamSnapshot implements SnapshotSource {

	public static final String MODE = "stream";

	public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

	static final int EOF_MARK_LENGTH = 40;

	private static final int MAX_LINE_LENGTH = 1024;

	private final RedisConnections connections;

	private final Duration readTimeout;

	private final boolean disklessTransfer;

	public ReplicationStreamSnapshot(RedisConnections connections) {
		this(connections, DEFAULT_READ_TIMEOUT, false);
	}

	/**
	 * @param readTimeout how long the node may stay silent before we give up; Redis sends a
	 * newline every second while it prepares the payload, so this bounds a stalled node
	 */
	public ReplicationStreamSnapshot(RedisConnections connections, Duration readTimeout) {
		this(connections, readTimeout, false);
	}

	/**
	 * @param disklessTransfer whether to announce {@code capa eof}, which lets a node configured for
	 * diskless replication send its RDB straight from the fork without writing it, but then without
	 * announcing its length ({@code $EOF:<mark>}). Backups announce it: the archive then leaves room for
	 * the tar header and writes it at the end ({@code archive.DisklessArchiveWriter}); a node that is not
	 * diskless, or refuses the capability, sends the length-prefixed form as before.
	 */
	public ReplicationStreamSnapshot(RedisConnections connections, Duration readTimeout, boolean disklessTransfer) {
		this.connections = connections;
		this.readTimeout = readTimeout;
		this.disklessTransfer = disklessTransfer;
	}

	@Override
	public String mode() {
		return MODE;
	}

	@Override
	public Snapshot open(RedisEndpoint node) throws IOException {
		Socket socket = this.connections.openSocket(node, this.readTimeout);
		try {
			InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
			OutputStream out = socket.getOutputStream();
			Handshake handshake = new Handshake(node, in, out);
			if (node.password() != null) {
				handshake.command("AUTH", node.password()).requireOk();
			}
			if (this.disklessTransfer && DisklessSync.streamsAtOnce(this.connections, node)) {
				// a server that refuses it sends the length-prefixed form, which the backup takes as before
				handshake.command("REPLCONF", "capa", "eof");
			}
			// listed by the node under a name sentinels never add as a replica to promote
			for (String[] announcement : ReplicaAnnouncement.requests(ReplicaAnnouncement.BACKUP)) {
				handshake.command(announcement);
			}
			// tells Redis 7+ that we only want the RDB, not the command stream after it;
			// older servers answer an error, which costs us nothing
			handshake.command("REPLCONF", "rdb-only", "1");
			long syncSent = System.nanoTime();
			PayloadHeader header = handshake.fullSync();
			Duration preparation = Duration.ofNanos(System.nanoTime() - syncSent);
			InputStream payload = new PayloadStream(socket, in, node, header);
			return new StreamedSnapshot(payload, header.length, node, preparation, header.position);
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	private String describeTimeout(RedisEndpoint node, String during) {
		return "Redis at " + node.address() + " sent nothing for " + seconds(this.readTimeout) + " " + during;
	}

	/** {@code 60 s}, {@code 0.5 s}: how timeouts are named in error messages. */
	static String seconds(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + " s" : (duration.toMillis() / 1000.0) + " s";
	}

	/**
	 * How the node announced the payload: its length, or the mark that will follow it; and where it stands
	 * in the node's replication history (null after {@code SYNC}).
	 */
	private record PayloadHeader(long length, byte[] eofMark, ReplicationPosition position) {
	}

	/** The request/reply part of the conversation, before the payload. */
	private final class Handshake {

		private final RedisEndpoint node;

		private final InputStream in;

		private final OutputStream out;

		private String lastReply;

		Handshake(RedisEndpoint node, InputStream in, OutputStream out) {
			this.node = node;
			this.in = in;
			this.out = out;
		}

		Handshake command(String... arguments) throws IOException {
			this.out.write(RespRequest.of(arguments));
			this.out.flush();
			this.lastReply = readLine(false);
			return this;
		}

		void requireOk() {
			if (this.lastReply.startsWith("-")) {
				throw RedisConnections.describeErrorReply(this.node, this.lastReply.substring(1), null);
			}
		}

		/** {@code PSYNC ? -1}, or {@code SYNC} where the node does not know it; then the payload's header. */
		PayloadHeader fullSync() throws IOException {
			this.out.write(RespRequest.of("PSYNC", "?", "-1"));
			this.out.flush();
			String reply = readLine(true);
			if (reply.startsWith("+FULLRESYNC ")) {
				return payloadHeader(readLine(true), fullResyncPosition(reply));
			}
			if (reply.startsWith("-") && reply.toLowerCase(Locale.ROOT).contains("unknown command")) {
				this.out.write("SYNC\r\n".getBytes(StandardCharsets.US_ASCII));
				this.out.flush();
				return payloadHeader(readLine(true), null);
			}
			if (reply.startsWith("-")) {
				throw RedisConnections.describeErrorReply(this.node, reply.substring(1), null);
			}
			throw protocolError("\"" + reply + "\" instead of +FULLRESYNC");
		}

		/** {@code +FULLRESYNC <replid> <offset>}: the replication id and the offset the dump stands at. */
		private ReplicationPosition fullResyncPosition(String reply) throws IOException {
			String[] parts = reply.split(" ");
			if (parts.length != 3 || parts[1].isEmpty()) {
				throw protocolError("\"" + reply + "\" instead of +FULLRESYNC <replid> <offset>");
			}
			try {
				return new ReplicationPosition(parts[1], Long.parseLong(parts[2]));
			}
			catch (IllegalArgumentException ex) {
				throw protocolError("\"" + reply + "\" instead of +FULLRESYNC <replid> <offset>");
			}
		}

		private PayloadHeader payloadHeader(String reply, ReplicationPosition position) throws IOException {
			if (reply.startsWith("-")) {
				throw RedisConnections.describeErrorReply(this.node, reply.substring(1), null);
			}
			if (reply.startsWith("$EOF:")) {
				byte[] mark = reply.substring(5).getBytes(StandardCharsets.US_ASCII);
				if (mark.length != EOF_MARK_LENGTH) {
					throw protocolError("an end mark of " + mark.length + " bytes instead of " + EOF_MARK_LENGTH);
				}
				return new PayloadHeader(-1, mark, position);
			}
			if (reply.startsWith("$")) {
				try {
					return new PayloadHeader(Long.parseLong(reply.substring(1)), null, position);
				}
				catch (NumberFormatException ex) {
					throw protocolError("\"" + reply + "\" instead of the payload length");
				}
			}
			throw protocolError("\"" + reply + "\" instead of the RDB payload");
		}

		/** Reads one reply line; while waiting for the payload, skips the keep-alive newlines. */
		private String readLine(boolean skipKeepAlives) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			try {
				while (true) {
					int next = this.in.read();
					if (next == -1) {
						throw new IOException("Redis at " + this.node.address()
								+ " closed the connection during the replication handshake");
					}
					if (next == '\n') {
						if (line.size() == 0 && skipKeepAlives) {
							continue;
						}
						break;
					}
					if (next != '\r') {
						line.write(next);
					}
					if (line.size() > MAX_LINE_LENGTH) {
						throw protocolError("a reply line longer than " + MAX_LINE_LENGTH + " bytes");
					}
				}
			}
			catch (SocketTimeoutException ex) {
				throw new SocketTimeoutException(describeTimeout(this.node, "during the replication handshake"));
			}
			return line.toString(StandardCharsets.UTF_8);
		}

		private IOException protocolError(String what) {
			return new IOException("Redis at " + this.node.address() + " answered the full synchronisation with " + what);
		}

	}

	/**
	 * Exactly the RDB bytes: a known length, or everything up to the 40-byte end mark, which
	 * is held back because it may arrive split across reads.
	 */
	private final class PayloadStream extends InputStream {

		private final Socket socket;

		private final InputStream in;

		private final RedisEndpoint node;

		private final long expectedLength;

		private final byte[] eofMark;

		/** Bytes read from the socket and not yet handed out, the last 40 of which may be the mark. */
		private final byte[] window;

		private int windowStart;

		private int windowEnd;

		private long received;

		private long delivered;

		private boolean ended;

		private volatile boolean closed;

		PayloadStream(Socket socket, InputStream in, RedisEndpoint node, PayloadHeader header) {
			this.socket = socket;
			this.in = in;
			this.node = node;
			this.expectedLength = header.length;
			this.eofMark = header.eofMark;
			this.window = (header.eofMark != null) ? new byte[EOF_MARK_LENGTH + 64 * 1024] : null;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			int count = read(one, 0, 1);
			return (count == -1) ? -1 : (one[0] & 0xff);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (this.closed) {
				throw new IOException("the replication stream of Redis at " + this.node.address() + " was closed");
			}
			if (length == 0) {
				return 0;
			}
			try {
				return (this.eofMark != null) ? readUntilMark(buffer, offset, length) : readKnownLength(buffer, offset, length);
			}
			catch (SocketTimeoutException ex) {
				throw new SocketTimeoutException(describeTimeout(this.node, "after " + this.delivered + " bytes of the RDB"));
			}
			catch (SocketException ex) {
				if (this.socket.isClosed()) {
					throw new IOException("the replication stream of Redis at " + this.node.address() + " was closed", ex);
				}
				throw truncated(ex);
			}
		}

		private int readKnownLength(byte[] buffer, int offset, int length) throws IOException {
			long remaining = this.expectedLength - this.delivered;
			if (remaining <= 0) {
				return -1;
			}
			int count = this.in.read(buffer, offset, (int) Math.min(length, remaining));
			if (count == -1) {
				throw truncated(null);
			}
			this.delivered += count;
			return count;
		}

		private int readUntilMark(byte[] buffer, int offset, int length) throws IOException {
			while (true) {
				int releasable = this.windowEnd - this.windowStart - (this.ended ? 0 : EOF_MARK_LENGTH);
				if (releasable > 0) {
					int count = Math.min(length, releasable);
					System.arraycopy(this.window, this.windowStart, buffer, offset, count);
					this.windowStart += count;
					this.delivered += count;
					return count;
				}
				if (this.ended) {
					return -1;
				}
				compactWindow();
				int count = this.in.read(this.window, this.windowEnd, this.window.length - this.windowEnd);
				if (count == -1) {
					throw truncated(null);
				}
				this.windowEnd += count;
				this.received += count;
				if (this.windowEnd - this.windowStart >= EOF_MARK_LENGTH && Arrays.equals(this.window,
						this.windowEnd - EOF_MARK_LENGTH, this.windowEnd, this.eofMark, 0, EOF_MARK_LENGTH)) {
					this.windowEnd -= EOF_MARK_LENGTH;
					this.ended = true;
				}
			}
		}

		private void compactWindow() {
			int kept = this.windowEnd - this.windowStart;
			System.arraycopy(this.window, this.windowStart, this.window, 0, kept);
			this.windowStart = 0;
			this.windowEnd = kept;
		}

		private IOException truncated(Exception cause) {
			long bytes = (this.eofMark != null) ? this.received : this.delivered;
			String expected = (this.expectedLength >= 0) ? " of " + this.expectedLength : "";
			return new IOException("Redis at " + this.node.address() + " closed the replication stream after "
					+ bytes + expected + " bytes", cause);
		}

		@Override
		public void close() throws IOException {
			this.closed = true;
			this.socket.close();
		}

	}

	private static final class StreamedSnapshot implements Snapshot {

		private final InputStream stream;

		private final long expectedLength;

		private final RedisEndpoint node;

		private final Duration preparation;

		private final ReplicationPosition position;

		StreamedSnapshot(InputStream stream, long expectedLength, RedisEndpoint node, Duration preparation,
				ReplicationPosition position) {
			this.stream = stream;
			this.expectedLength = expectedLength;
			this.node = node;
			this.preparation = preparation;
			this.position = position;
		}

		@Override
		public Duration nodePreparation() {
			return this.preparation;
		}

		@Override
		public ReplicationPosition replicationPosition() {
			return this.position;
		}

		@Override
		public InputStream stream() {
			return this.stream;
		}

		@Override
		public long expectedLength() {
			return this.expectedLength;
		}

		@Override
		public String nodeDescription() {
			return this.node.address() + " (replication stream)";
		}

		@Override
		public void close() throws IOException {
			this.stream.close();
		}

	}

}
