// Longer than 400 lines because the archiver's conversation with the node (handshake, full synchronisation,
// the command stream, acknowledgements) and what it does every second share one state, read by one thread.
package io.coffer.pitr;

import io.coffer.catalog.Backup;
import io.coffer.catalog.Database;
import io.coffer.catalog.PitrRepository;
import io.coffer.catalog.ReplicationPosition;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.ReplicaAnnouncement;
import io.coffer.redis.RespRequest;
import io.coffer.redis.SelectedNode;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver of one database: a replica connection to the node that backups would read (the replica when
 * there is one), which continues the node's command stream from the last position archived ({@code PSYNC
 * <replid> <offset + 1>}: the end of the last uploaded segment, else the newest base backup's position) and
 * stores it in segments ({@link OpenSegment}, {@link SegmentUploader}).
 * <p>
 * When the node answers with a full synchronisation instead ({@code +FULLRESYNC}: no base yet, or it no longer
 * holds the offset), its dump becomes a new base backup (method {@code archive}) and, when commands had been
 * archived before, a gap is recorded from the last of them to the new base. It answers as a replica must:
 * {@code REPLCONF ACK <offset>} every second and at once on {@code GETACK}.
 * <p>
 * One thread per archiver, which reads the socket with a one-second timeout and does the work due every second
 * in between (make the segment durable, acknowledge, seal); sealed segments are uploaded on a thread of the
 * archiver's own. A shared event loop is the next step.
 */
final class StreamArchiver implements Runnable {

	private static final Logger log = LoggerFactory.getLogger(StreamArchiver.class);

	static final long SEGMENT_LIMIT = 16L * 1024 * 1024;

	private static final Duration SILENCE_LIMIT = Duration.ofSeconds(60);

	private static final Duration RETRY = Duration.ofSeconds(2);

	private static final Duration UPLOAD_RETRY = Duration.ofSeconds(5);

	private static final int MAX_LINE = 1024;

	private final String databaseId;

	private final PitrCollaborators with;

	private final java.nio.file.Path folder;

	private final Deque<OpenSegment> sealed = new ConcurrentLinkedDeque<>();

	/**
	 * Uploads sealed segments, in order, off the thread that reads the stream: that thread stamps each command
	 * as it reads it, and an upload on it would stamp late what waits in the socket meanwhile.
	 */
	private final ExecutorService uploads;

	private final NodeToArchive nodeToArchive;

	private volatile boolean stopped;

	private volatile Socket socket;

	/** Where the archived stream stands: the offset of the last byte received whole (null until known). */
	private ReplicationPosition position;

	/** When the last command archived arrived (ms), or -1 while none was. */
	private long lastArrival = -1;

	private OpenSegment segment;

	private long segmentOpenedAt;

	private boolean streaming;

	private boolean inCommand;

	private long lastUploadAttempt;

	private OutputStream out;

	StreamArchiver(String databaseId, PitrCollaborators with) {
		this.databaseId = databaseId;
		this.with = with;
		this.folder = with.folder(databaseId);
		this.nodeToArchive = new NodeToArchive(databaseId, with.endpoints(), with.clock());
		this.uploads = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "pitr-upload-" + databaseId);
			thread.setDaemon(true);
			return thread;
		});
	}

	/** Asks the archiver to stop: its connection is closed, what it sealed is uploaded if it can be. */
	void stop() {
		this.stopped = true;
		Socket open = this.socket;
		if (open != null) {
			try {
				open.close();
			}
			catch (IOException ignored) {
				// closed either way
			}
		}
	}

	boolean isStopped() {
		return this.stopped;
	}

	@Override
	public void run() {
		String error = null;
		try {
			this.with.clearFolder(this.folder);
			while (!this.stopped) {
				try {
					session();
				}
				catch (NodeToArchive.Moved moved) {
					log.info("Point-in-time archiver of {}: {}; reconnecting", this.databaseId, moved.getMessage());
					continue;
				}
				catch (IOException | RuntimeException ex) {
					if (this.stopped) {
						break;
					}
					error = ex.getMessage();
					log.warn("Point-in-time archiver of {}: {}; trying again", this.databaseId, error);
					this.with.pitr().recordError(this.databaseId, this.with.instanceId(), error);
				}
				finally {
					endSession();
				}
				sleep(RETRY);
			}
		}
		catch (IOException ex) {
			error = "its folder cannot be used: " + ex.getMessage();
			log.warn("Point-in-time archiver of {}: {}", this.databaseId, error);
		}
		finally {
			this.uploads.shutdown();
			try {
				this.uploads.awaitTermination(1, TimeUnit.MINUTES);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			uploadSealed(true);
			this.with.pitr().release(this.databaseId, this.with.instanceId(), this.stopped ? null : error);
		}
	}

	private void session() throws IOException {
		Database database = this.with.databases().findLive(this.databaseId)
			.orElseThrow(() -> new IOException("database " + this.databaseId + " no longer exists"));
		SelectedNode node = this.nodeToArchive.choose(database);
		if (this.position == null) {
			startingPosition();
		}
		RedisEndpoint endpoint = node.endpoint();
		Socket opened = this.with.connections().openSocket(endpoint, Duration.ofSeconds(1));
		this.socket = opened;
		if (this.stopped) {
			opened.close();
			return;
		}
		InputStream in = new TickingInputStream(new BufferedInputStream(opened.getInputStream(), 64 * 1024),
				this::tick, SILENCE_LIMIT, endpoint.address());
		this.out = opened.getOutputStream();
		if (endpoint.password() != null) {
			send("AUTH", endpoint.password());
			requireOk(endpoint, readLine(in, false));
		}
		// announces PSYNC2, so that the node continues a history it inherited (a failover) with +CONTINUE <replid>
		send("REPLCONF", "capa", "psync2");
		requireOk(endpoint, readLine(in, false));
		// listed by the node under a name sentinels never add as a replica to promote
		for (String[] announcement : ReplicaAnnouncement.requests(ReplicaAnnouncement.ARCHIVER)) {
			send(announcement);
			readLine(in, false);
		}
		if (this.position != null) {
			send("PSYNC", this.position.replid(), String.valueOf(this.position.offset() + 1));
		}
		else {
			send("PSYNC", "?", "-1");
		}
		String reply = readLine(in, true);
		if (reply.startsWith("+CONTINUE")) {
			String[] words = reply.split(" ");
			if (words.length > 1 && !words[1].equals(this.position.replid())) {
				this.position = new ReplicationPosition(words[1], this.position.offset());
			}
			log.info("Point-in-time archiver of {}: {} continues at offset {} of {}", this.databaseId,
					endpoint.address(), this.position.offset() + 1, this.position.replid());
		}
		else if (reply.startsWith("+FULLRESYNC ")) {
			fullSynchronisation(database, node, in, reply);
		}
		else if (reply.startsWith("-")) {
			throw RedisConnections.describeErrorReply(endpoint, reply.substring(1), null);
		}
		else {
			throw new IOException("Redis at " + endpoint.address() + " answered PSYNC with \"" + reply + "\"");
		}
		stream(in);
	}

	/** The end of the last uploaded segment, else the position of the newest base backup, else none. */
	private void startingPosition() {
		PitrRepository.Segment last = this.with.pitr().lastSegment(this.databaseId).orElse(null);
		if (last != null) {
			this.position = last.end();
			this.lastArrival = last.lastArrival().toEpochMilli();
			return;
		}
		this.position = this.with.backups().findLatestBase(this.databaseId).map(Backup::replication).orElse(null);
	}

	/** The node sends its dump: it becomes a base backup; a hole since the last archived command is a gap. */
	private void fullSynchronisation(Database database, SelectedNode node, InputStream in, String reply)
			throws IOException {
		String[] words = reply.split(" ");
		ReplicationPosition base;
		try {
			base = new ReplicationPosition(words[1], Long.parseLong(words[2]));
		}
		catch (RuntimeException ex) {
			throw new IOException("Redis at " + node.endpoint().address() + " answered PSYNC with \"" + reply + "\"");
		}
		String header = readLine(in, true);
		if (!header.startsWith("$") || header.startsWith("$EOF:")) {
			throw new IOException("Redis at " + node.endpoint().address() + " announced its dump with \"" + header + "\"");
		}
		long length = Long.parseLong(header.substring(1));
		ReplicationPosition asked = this.position;
		Backup backup = this.with.bases().ship(database, node, new BoundedInputStream(in, length), length, base);
		if (asked != null && this.lastArrival >= 0) {
			String reason = "Redis at " + node.endpoint().address() + " no longer held offset " + (asked.offset() + 1)
					+ " of " + asked.replid() + " (it answered with a full synchronisation); new base " + backup.id();
			this.with.pitr().insertGap(this.databaseId, new PitrRepository.Gap(Instant.ofEpochMilli(this.lastArrival),
					backup.createdAt().isAfter(Instant.ofEpochMilli(this.lastArrival)) ? backup.createdAt()
							: Instant.ofEpochMilli(this.lastArrival), reason, backup.id()));
			log.warn("Point-in-time archiver of {}: gap recorded: {}", this.databaseId, reason);
		}
		this.position = base;
	}

	/** The command stream, until the connection ends or the archiver is stopped. */
	private void stream(InputStream in) throws IOException {
		ReplicationCommandReader reader = new ReplicationCommandReader(in);
		this.streaming = true;
		while (!this.stopped) {
			if (this.segment == null) {
				openSegment();
			}
			this.inCommand = true;
			ReplicationCommandReader.Command command = reader.next(this.segment.sink());
			this.inCommand = false;
			if (command == null) {
				throw new IOException("Redis closed the replication stream");
			}
			long arrival = this.with.clock().millis();
			this.segment.commandEnded(command.kind(), arrival);
			this.position = new ReplicationPosition(this.position.replid(), this.position.offset() + command.length());
			this.lastArrival = arrival;
			if (command.kind() == ReplicationCommandReader.Kind.GETACK) {
				acknowledge();
			}
			sealIfDue(false);
		}
	}

	private void openSegment() throws IOException {
		this.segment = new OpenSegment(this.folder, this.position.replid(), this.position.offset() + 1);
		this.segmentOpenedAt = this.with.clock().millis();
	}

	/** Every second: what arrived is made durable and acknowledged, a segment due is sealed and uploaded. */
	private void tick() throws IOException {
		if (!this.streaming) {
			return;
		}
		if (this.segment != null) {
			this.segment.sync();
		}
		this.with.pitr().recordDurable(this.databaseId, this.with.instanceId(), this.with.clock().instant(),
				this.sealed.isEmpty());
		acknowledge();
		if (!this.inCommand) {
			sealIfDue(false);
		}
		if (!this.sealed.isEmpty()) {
			uploadInBackground();
		}
		this.nodeToArchive.recheck();
	}

	private void acknowledge() throws IOException {
		if (this.segment != null) {
			this.segment.sync();
		}
		send("REPLCONF", "ACK", String.valueOf(this.position.offset()));
	}

	/**
	 * Seals the open segment when it is big or old enough, never inside MULTI/EXEC; {@code now} (the session
	 * ended) seals it at its last whole command outside a block, and the stream continues from there.
	 */
	private void sealIfDue(boolean now) {
		OpenSegment open = this.segment;
		if (open == null || open.commands() == 0 || (!now && open.insideMulti())) {
			return;
		}
		boolean due = now || open.bytes() >= SEGMENT_LIMIT
				|| this.with.clock().millis() - this.segmentOpenedAt >= this.with.uploadInterval().toMillis();
		if (!due) {
			return;
		}
		this.segment = null;
		try {
			open.seal();
		}
		catch (IOException ex) {
			open.discard();
			// its commands are asked of the node again rather than skipped
			this.position = new ReplicationPosition(this.position.replid(), open.startOffset - 1);
			throw new IllegalStateException("the segment could not be written to local disk: " + ex.getMessage(), ex);
		}
		if (open.commands() == 0) {
			open.discard();
		}
		else {
			this.sealed.add(open);
			this.lastArrival = open.lastArrival();
		}
		// what was cut (half a command, a block without its EXEC) is asked of the node again
		this.position = new ReplicationPosition(this.position.replid(), open.endOffset());
		uploadInBackground();
	}

	/** Uploads on the archiver's upload thread, so that the reading thread stamps arrivals on time meanwhile. */
	private void uploadInBackground() {
		try {
			this.uploads.execute(() -> uploadSealed(false));
		}
		catch (RejectedExecutionException ex) {
			// stopping: what is sealed is uploaded as the archiver ends
		}
	}

	/** Uploads the sealed segments in order; storage that fails is tried again every few seconds. */
	private synchronized void uploadSealed(boolean force) {
		long now = this.with.clock().millis();
		if (!force && !this.sealed.isEmpty() && now - this.lastUploadAttempt < UPLOAD_RETRY.toMillis()
				&& this.lastUploadAttempt > 0) {
			return;
		}
		while (!this.sealed.isEmpty()) {
			this.lastUploadAttempt = now;
			OpenSegment next = this.sealed.peek();
			try {
				this.with.uploader().upload(this.databaseId, next);
				this.sealed.poll();
				this.lastUploadAttempt = 0;
			}
			catch (IOException | RuntimeException ex) {
				String error = "segments wait on local disk, object storage failed: " + ex.getMessage();
				log.warn("Point-in-time archiver of {}: {}", this.databaseId, error);
				this.with.pitr().recordError(this.databaseId, this.with.instanceId(), error);
				return;
			}
		}
	}

	private void endSession() {
		this.streaming = false;
		this.inCommand = false;
		if (this.segment != null) {
			if (this.segment.commands() > 0) {
				sealIfDueQuietly();
			}
			else {
				this.segment.discard();
				this.segment = null;
			}
		}
		Socket open = this.socket;
		this.socket = null;
		if (open != null) {
			try {
				open.close();
			}
			catch (IOException ignored) {
				// closed either way
			}
		}
	}

	private void sealIfDueQuietly() {
		try {
			sealIfDue(true);
		}
		catch (RuntimeException ex) {
			log.warn("Point-in-time archiver of {}: {}", this.databaseId, ex.getMessage());
		}
	}

	private void send(String... arguments) throws IOException {
		this.out.write(RespRequest.of(arguments));
		this.out.flush();
	}

	private static void requireOk(RedisEndpoint endpoint, String reply) {
		if (reply.startsWith("-")) {
			throw RedisConnections.describeErrorReply(endpoint, reply.substring(1), null);
		}
	}

	/** One reply line; while waiting for the dump, the node's keep-alive newlines are skipped. */
	private static String readLine(InputStream in, boolean skipKeepAlives) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		while (true) {
			int next = in.read();
			if (next == -1) {
				throw new IOException("Redis closed the connection during the replication handshake");
			}
			if (next == '\n') {
				if (line.size() == 0 && skipKeepAlives) {
					continue;
				}
				return line.toString(StandardCharsets.UTF_8);
			}
			if (next != '\r') {
				line.write(next);
			}
			if (line.size() > MAX_LINE) {
				throw new IOException("Redis sent a reply line longer than " + MAX_LINE + " bytes");
			}
		}
	}

	private void sleep(Duration duration) {
		long until = System.nanoTime() + duration.toNanos();
		while (!this.stopped && System.nanoTime() < until) {
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.stopped = true;
			}
		}
	}

	/** Exactly {@code length} bytes of the stream: the dump, after which the command stream follows. */
	private static final class BoundedInputStream extends InputStream {

		private final InputStream in;

		private long left;

		BoundedInputStream(InputStream in, long length) {
			this.in = in;
			this.left = length;
		}

		@Override
		public int read() throws IOException {
			if (this.left <= 0) {
				return -1;
			}
			int next = this.in.read();
			if (next == -1) {
				throw new IOException("Redis closed the connection inside its dump");
			}
			this.left--;
			return next;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (this.left <= 0) {
				return -1;
			}
			int count = this.in.read(buffer, offset, (int) Math.min(length, this.left));
			if (count == -1) {
				throw new IOException("Redis closed the connection inside its dump");
			}
			this.left -= count;
			return count;
		}

		@Override
		public void close() {
			// the connection goes on with the command stream
		}

	}

}
