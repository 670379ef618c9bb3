// Longer than 400 lines because the archiver's conversation with the node (handshake, full synchronisation,
// the command stream, acknowledgements) and what it does every second share one state, kept in its serial work.
package io.coffer.pitr;

import io.coffer.catalog.Backup;
import io.coffer.catalog.Database;
import io.coffer.catalog.PitrRepository;
import io.coffer.catalog.ReplicationPosition;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import io.coffer.redis.ReplicaAnnouncement;
import io.coffer.redis.RespRequest;
import io.coffer.redis.SelectedNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLEngine;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

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
 * No thread of its own ({@link PitrEventLoop}): its connection is read on the shared event loop and split there
 * ({@link ReplicationStreamSplitter}); everything else, including a tick every second (make the segment durable,
 * acknowledge, seal), is its {@link SerialWork}, which alone touches the state below. The uploads of its sealed
 * segments run on the uploaders' threads, one at a time and in order, so that a slow storage delays no archiver's
 * durable marks: with the upload on its work, a thousand archivers' ticks waited behind each other's PUTs.
 */
final class StreamArchiver {

	private static final Logger log = LoggerFactory.getLogger(StreamArchiver.class);

	static final long SEGMENT_LIMIT = 16L * 1024 * 1024;

	private static final Duration SILENCE_LIMIT = Duration.ofSeconds(60);

	private static final Duration RETRY = Duration.ofSeconds(2);

	private static final Duration UPLOAD_RETRY = Duration.ofSeconds(5);

	/** Bytes of the stream an archiver may hold in memory before it stops reading its connection. */
	static final long HIGH_WATER = 512 * 1024;

	private static final long LOW_WATER = 128 * 1024;

	private final String databaseId;

	private final PitrCollaborators with;

	private final PitrEventLoop loop;

	private final Path folder;

	private final SerialWork work;

	private final Deque<OpenSegment> sealed = new ArrayDeque<>();

	private final NodeToArchive nodeToArchive;

	/** The node to read moved: the connection ends, and the next one starts at once. */
	private boolean moved;

	private volatile boolean stopped;

	private volatile boolean finished;

	/** It is stopping: what it sealed is being uploaded, then it gives up its lease and is finished. */
	private boolean finishing;

	/** The upload of the first sealed segment is under way on an uploader's thread. */
	private boolean uploading;

	private volatile Channel channel;

	/** The connection being held, counted so that what an ended one still reports is ignored. */
	private int session;

	private boolean sessionLive;

	private ScheduledFuture<?> ticking;

	/** Where the archived stream stands: the offset of the last byte received whole (null until known). */
	private ReplicationPosition position;

	/** When the last command archived arrived (ms), or -1 while none was. */
	private long lastArrival = -1;

	private OpenSegment segment;

	private long segmentOpenedAt;

	private boolean streaming;

	/** The open segment ends with the first bytes of a command still arriving: it is not sealed then. */
	private boolean insideCommand;

	private long lastUploadAttempt;

	private String lastError;

	/** Why the last upload failed, while sealed segments wait; null once one worked. */
	private String lastUploadError;

	/** Its turn at a full synchronisation, waited for or held (null: none). */
	private FullSyncTurns.Turn turn;

	/** The node will answer with a full synchronisation (no position, or it did): connect only with a turn. */
	private boolean needsFullSync;

	/** The node's dump is being shipped as a base. */
	private boolean inFullSync;

	StreamArchiver(String databaseId, PitrCollaborators with, PitrEventLoop loop) {
		this.databaseId = databaseId;
		this.with = with;
		this.loop = loop;
		this.folder = with.folder(databaseId);
		this.nodeToArchive = new NodeToArchive(databaseId, with.endpoints(), this::replicationOffset, with.clock());
		this.work = new SerialWork(loop.workers(), HIGH_WATER, LOW_WATER, this::setReadable);
	}

	void start() {
		this.work.submit(() -> {
			try {
				this.with.clearFolder(this.folder);
			}
			catch (IOException ex) {
				this.lastError = "its folder cannot be used: " + ex.getMessage();
				log.warn("Point-in-time archiver of {}: {}", this.databaseId, this.lastError);
				finish();
				return;
			}
			this.ticking = this.loop.io().next().scheduleAtFixedRate(() -> this.work.submit(this::tick), 1, 1,
					TimeUnit.SECONDS);
			connect();
		});
	}

	/** Asks the archiver to stop: its connection is closed, what it sealed is uploaded if it can be. */
	void stop() {
		this.stopped = true;
		Channel open = this.channel;
		if (open != null) {
			open.close();
		}
		this.work.submit(() -> {
			if (!this.sessionLive) {
				finish();
			}
		});
	}

	boolean isStopped() {
		return this.stopped;
	}

	/** Whether it has stopped and given up its lease. */
	boolean isFinished() {
		return this.finished;
	}

	private void connect() {
		if (this.stopped) {
			finish();
			return;
		}
		int current = ++this.session;
		this.sessionLive = true;
		try {
			Database database = this.with.databases().findLive(this.databaseId)
				.orElseThrow(() -> new IOException("database " + this.databaseId + " no longer exists"));
			if (this.position == null) {
				startingPosition();
			}
			if ((this.position == null || this.needsFullSync) && !holdsTurn()) {
				FullSyncTurns.Turn free = this.with.turns().tryTake();
				if (free == null) {
					this.sessionLive = false;
					waitForTurn();
					return;
				}
				this.turn = free;
			}
			SelectedNode node = this.nodeToArchive.choose(database);
			RedisEndpoint endpoint = node.endpoint();
			Connection connection = new Connection(current, database, node, holdsTurn());
			Bootstrap bootstrap = new Bootstrap().group(this.loop.io())
				.channel(NioSocketChannel.class)
				.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.with.connections().connectTimeout().toMillis())
				.option(ChannelOption.SO_KEEPALIVE, true)
				.handler(new ChannelInitializer<SocketChannel>() {
					@Override
					protected void initChannel(SocketChannel channel) {
						if (endpoint.tls()) {
							SSLEngine engine = StreamArchiver.this.with.tlsContext()
								.createSSLEngine(endpoint.host(), endpoint.port());
							engine.setUseClientMode(true);
							channel.pipeline().addLast(new SslHandler(engine));
						}
						channel.pipeline().addLast(new ReadTimeoutHandler(SILENCE_LIMIT.toSeconds(), TimeUnit.SECONDS));
						channel.pipeline().addLast(connection);
					}
				});
			Channel opened = bootstrap.connect(endpoint.host(), endpoint.port()).addListener((done) -> {
				if (!done.isSuccess()) {
					this.work.submit(() -> sessionEnded(current, RedisConnections.describe(endpoint, done.cause())));
				}
			}).channel();
			this.channel = opened;
			if (this.stopped) {
				opened.close();
			}
		}
		catch (IOException | RuntimeException ex) {
			sessionEnded(current, ex);
		}
	}

	/**
	 * Every turn at a full synchronisation is taken: the archiver waits in line without a connection (a node
	 * would time out a replica that waits unread), and connects when its turn comes.
	 */
	private void waitForTurn() {
		log.info("Point-in-time archiver of {}: waits for its turn at a full synchronisation ({} at once)",
				this.databaseId, this.with.turns().limit());
		this.turn = this.with.turns().await(() -> this.work.submit(this::turnCame));
		report(null);
	}

	private void turnCame() {
		if (this.finished || this.finishing) {
			letGoTurn();
		}
		else if (this.stopped) {
			finish();
		}
		else {
			connect();
		}
	}

	private boolean holdsTurn() {
		return this.turn != null && this.turn.isHeld();
	}

	private void letGoTurn() {
		if (this.turn != null) {
			this.turn.letGo();
			this.turn = null;
		}
	}

	/** A turn taken on the event loop when the node answered with a full synchronisation unasked. */
	private void adoptTurn(FullSyncTurns.Turn taken) {
		letGoTurn();
		this.turn = taken;
		if (this.finished || this.finishing) {
			letGoTurn();
		}
	}

	/** {@code master_repl_offset} of {@code node} (what a replica has received, what a primary has written). */
	private long replicationOffset(SelectedNode node) {
		try {
			String info = this.with.connections().call(node.endpoint(), (jedis) -> jedis.info("replication"));
			String offset = RedisInfo.fields(info).get("master_repl_offset");
			return (offset != null) ? Long.parseLong(offset.trim()) : -1;
		}
		catch (RuntimeException ex) {
			return -1;
		}
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

	private void continued(String reply, RedisEndpoint endpoint) {
		String[] words = reply.split(" ");
		if (this.position == null) {
			throw new IllegalStateException("Redis at " + endpoint.address() + " continued a stream never asked for");
		}
		if (words.length > 1 && !words[1].equals(this.position.replid())) {
			this.position = new ReplicationPosition(words[1], this.position.offset());
		}
		log.info("Point-in-time archiver of {}: {} continues at offset {} of {}", this.databaseId,
				endpoint.address(), this.position.offset() + 1, this.position.replid());
		this.streaming = true;
		this.lastError = null;
		this.needsFullSync = false;
		letGoTurn();
		report(null);
	}

	/** The node's dump became a base backup: a hole since the last archived command is a gap. */
	private void baseShipped(Backup backup, ReplicationPosition base, SelectedNode node) {
		ReplicationPosition asked = this.position;
		if (asked != null && this.lastArrival >= 0) {
			String reason = "Redis at " + node.endpoint().address() + " no longer held offset " + (asked.offset() + 1)
					+ " of " + asked.replid() + " (it answered with a full synchronisation); new base " + backup.id();
			Instant from = Instant.ofEpochMilli(this.lastArrival);
			this.with.pitr().insertGap(this.databaseId, new PitrRepository.Gap(from,
					backup.createdAt().isAfter(from) ? backup.createdAt() : from, reason, backup.id()));
			log.warn("Point-in-time archiver of {}: gap recorded: {}", this.databaseId, reason);
		}
		this.position = base;
		this.streaming = true;
		this.lastError = null;
		this.inFullSync = false;
		this.needsFullSync = false;
		letGoTurn();
		report(null);
		acknowledge();
	}

	/** What one read of the connection held of the command stream, in order. */
	private void apply(List<Object> events) {
		try {
			for (Object event : events) {
				if (event instanceof byte[] bytes) {
					if (this.segment == null) {
						openSegment();
					}
					this.segment.sink().write(bytes);
					this.insideCommand = true;
				}
				else if (event instanceof CommandEnd end) {
					this.segment.commandEnded(end.kind(), end.arrival());
					this.insideCommand = false;
					this.position = new ReplicationPosition(this.position.replid(), this.position.offset() + end.length());
					this.lastArrival = end.arrival();
					if (end.kind() == CommandKind.GETACK) {
						acknowledge();
					}
					sealIfDue(false);
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("the segment could not be written to local disk: " + ex.getMessage(), ex);
		}
	}

	private void openSegment() throws IOException {
		this.segment = new OpenSegment(this.folder, this.position.replid(), this.position.offset() + 1);
		this.segmentOpenedAt = this.with.clock().millis();
	}

	/** Every second: what arrived is made durable and acknowledged, a segment due is sealed and uploaded. */
	private void tick() {
		if (this.finished || this.finishing) {
			return;
		}
		try {
			Instant durable = null;
			if (this.streaming && this.sessionLive) {
				if (this.segment != null) {
					this.segment.sync();
				}
				durable = this.with.clock().instant();
				acknowledge();
				sealIfDue(false);
			}
			if (!this.sealed.isEmpty()) {
				uploadSealed(false);
			}
			report(durable);
			if (this.sessionLive) {
				this.nodeToArchive.recheck((this.position != null) ? this.position.offset() : -1);
			}
		}
		catch (NodeToArchive.Moved move) {
			log.info("Point-in-time archiver of {}: {}; reconnecting", this.databaseId, move.getMessage());
			this.moved = true;
			failSession(move);
		}
		catch (IOException | RuntimeException ex) {
			failSession(ex);
		}
	}

	/**
	 * Tells the catalogue how the archiver stands (with its next durable marks): {@code durableAt} when what it
	 * received was last made durable (null: not now), its state, and what of its stream waits for storage.
	 */
	private void report(Instant durableAt) {
		Instant oldest = oldestUnuploaded();
		this.with.durableMarks().mark(this.databaseId, new PitrRepository.Durable(durableAt,
				durableAt != null && this.sealed.isEmpty(), state().wireName(), oldest,
				(oldest != null) ? this.lastUploadError : null));
	}

	private ArchiverState state() {
		if (this.turn != null && !this.turn.isHeld()) {
			return ArchiverState.WAITING_FOR_FULL_SYNC;
		}
		if (this.inFullSync) {
			return ArchiverState.FULL_SYNC;
		}
		return (this.streaming && this.sessionLive) ? ArchiverState.ARCHIVING : ArchiverState.CONNECTING;
	}

	/** The arrival of the oldest archived command not yet in object storage: sealed first, then the open segment. */
	private Instant oldestUnuploaded() {
		OpenSegment first = this.sealed.isEmpty() ? this.segment : this.sealed.peek();
		return (first != null && first.commands() > 0 && first.firstArrival() >= 0)
				? Instant.ofEpochMilli(first.firstArrival()) : null;
	}

	private void acknowledge() {
		try {
			if (this.segment != null) {
				this.segment.sync();
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("the segment could not be written to local disk: " + ex.getMessage(), ex);
		}
		send("REPLCONF", "ACK", String.valueOf(this.position.offset()));
	}

	/**
	 * Seals the open segment when it is big or old enough, never inside MULTI/EXEC; {@code now} (the session
	 * ended) seals it at its last whole command outside a block, and the stream continues from there.
	 */
	private void sealIfDue(boolean now) {
		OpenSegment open = this.segment;
		if (open == null || open.commands() == 0 || (!now && (open.insideMulti() || this.insideCommand))) {
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
		uploadSealed(false);
	}

	/**
	 * Starts the upload of the sealed segments, the oldest first, unless one is under way; storage that fails is
	 * tried again every few seconds ({@code force}: at once).
	 */
	private void uploadSealed(boolean force) {
		long now = this.with.clock().millis();
		if (this.uploading || this.sealed.isEmpty()) {
			return;
		}
		if (!force && now - this.lastUploadAttempt < UPLOAD_RETRY.toMillis() && this.lastUploadAttempt > 0) {
			return;
		}
		this.lastUploadAttempt = now;
		this.uploading = true;
		OpenSegment next = this.sealed.peek();
		try {
			this.loop.uploaders().execute(() -> {
				Throwable failure = null;
				try {
					this.with.uploader().upload(this.databaseId, next);
				}
				catch (IOException | RuntimeException | Error ex) {
					// an Error too: the archiver must not wait for an upload that will never end
					failure = ex;
				}
				Throwable failed = failure;
				this.work.submit(() -> uploadEnded(next, failed));
			});
		}
		catch (RejectedExecutionException ex) {
			// the instance is shutting down: the segment stays on local disk
			uploadEnded(next, ex);
		}
	}

	/** On the archiver's work: the upload of {@code segment} is over, done or {@code failure}. */
	private void uploadEnded(OpenSegment segment, Throwable failure) {
		this.uploading = false;
		if (failure == null) {
			this.sealed.remove(segment);
			this.lastUploadAttempt = 0;
			this.lastUploadError = null;
			if (!this.sealed.isEmpty()) {
				uploadSealed(this.finishing);
				return;
			}
		}
		else {
			this.lastUploadError = failure.getMessage();
			String error = "segments wait on local disk, object storage failed: " + failure.getMessage();
			log.warn("Point-in-time archiver of {}: {}", this.databaseId, error);
			this.with.pitr().recordError(this.databaseId, this.with.instanceId(), error);
		}
		if (this.finishing) {
			finished();
		}
	}

	/** Closes the connection after a failure; its end is then reported like any other. */
	private void failSession(Throwable failure) {
		this.lastError = failure.getMessage();
		Channel open = this.channel;
		if (open != null) {
			open.close();
		}
		else {
			sessionEnded(this.session, failure);
		}
	}

	/** The connection of {@code ended} is over: what was received is sealed, and the archiver tries again. */
	private void sessionEnded(int ended, Throwable failure) {
		if (ended != this.session || !this.sessionLive) {
			return;
		}
		this.sessionLive = false;
		this.streaming = false;
		this.insideCommand = false;
		this.inFullSync = false;
		this.channel = null;
		letGoTurn();
		if (this.segment != null) {
			if (this.segment.commands() > 0) {
				try {
					sealIfDue(true);
				}
				catch (RuntimeException ex) {
					log.warn("Point-in-time archiver of {}: {}", this.databaseId, ex.getMessage());
				}
			}
			else {
				this.segment.discard();
				this.segment = null;
			}
		}
		if (this.stopped) {
			finish();
			return;
		}
		if (this.moved || failure instanceof TurnNeeded) {
			// a node that answered with a full synchronisation unasked: asked again once a turn is free
			this.needsFullSync |= failure instanceof TurnNeeded;
			this.moved = false;
			this.lastError = null;
			this.work.submit(this::connect);
			return;
		}
		String error = (failure != null) ? failure.getMessage() : (this.lastError != null) ? this.lastError
				: "Redis closed the replication stream";
		this.lastError = error;
		log.warn("Point-in-time archiver of {}: {}; trying again", this.databaseId, error);
		this.with.pitr().recordError(this.databaseId, this.with.instanceId(), error);
		this.loop.io().next().schedule(() -> this.work.submit(this::connect), RETRY.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Stops ticking and uploads what it sealed (once, whatever the retry's pause); then {@link #finished()}. */
	private void finish() {
		if (this.finished || this.finishing) {
			return;
		}
		this.finishing = true;
		if (this.ticking != null) {
			this.ticking.cancel(false);
		}
		letGoTurn();
		if (this.uploading) {
			// uploadEnded goes on with the rest, then finishes
			return;
		}
		uploadSealed(true);
		if (!this.uploading) {
			finished();
		}
	}

	/** Gives up the lease: another instance, or this one later, continues from what the catalogue holds. */
	private void finished() {
		if (this.finished) {
			return;
		}
		this.with.pitr().release(this.databaseId, this.with.instanceId(), this.stopped ? null : this.lastError);
		this.finished = true;
	}

	private void send(String... arguments) {
		Channel open = this.channel;
		if (open != null) {
			open.writeAndFlush(Unpooled.wrappedBuffer(RespRequest.of(arguments)));
		}
	}

	private void setReadable(boolean readable) {
		Channel open = this.channel;
		if (open != null) {
			open.config().setAutoRead(readable);
		}
	}

	private record CommandEnd(long length, CommandKind kind, long arrival) {
	}

	/** The node answered with a full synchronisation while every turn was taken: the connection ends. */
	private static final class TurnNeeded extends RuntimeException {

		TurnNeeded(RedisEndpoint endpoint) {
			super("Redis at " + endpoint.address() + " answered with a full synchronisation; it waits for a turn",
					null, false, false);
		}

	}

	/**
	 * One connection to the node, on the event loop: it sends the handshake, splits what comes back, and hands
	 * each read's commands to the serial work in one piece; a dump goes to a shipper thread as it arrives.
	 */
	private final class Connection extends ChannelInboundHandlerAdapter implements ReplicationStreamSplitter.Listener {

		private final int number;

		private final Database database;

		private final SelectedNode node;

		private final RedisEndpoint endpoint;

		private final ReplicationStreamSplitter splitter;

		private int okRepliesExpected;

		private ReplicationPosition base;

		/**
		 * When the {@code +FULLRESYNC} line arrived: the base's dataset time, taken by the thread and the clock that
		 * stamp the commands after it, so that none of them can appear to come before their base.
		 */
		private Instant baseAnsweredAt;

		private DumpStream dump;

		private List<Object> events = new ArrayList<>();

		private long eventBytes;

		private Throwable failure;

		/** Whether the archiver held a turn at a full synchronisation for this connection, or took one since. */
		private boolean withTurn;

		Connection(int number, Database database, SelectedNode node, boolean withTurn) {
			this.number = number;
			this.database = database;
			this.node = node;
			this.withTurn = withTurn;
			this.endpoint = node.endpoint();
			this.splitter = new ReplicationStreamSplitter(this, StreamArchiver.this.with.clock()::millis);
		}

		/** The handshake, one request at a time: a node refuses PSYNC while it still owes replies. */
		private final ArrayDeque<byte[]> handshake = new ArrayDeque<>();

		/** How many of the first replies may be errors without ending the connection (the announcements'). */
		private int toleratedFrom;

		private int repliesSeen;

		private ChannelHandlerContext context;

		@Override
		public void channelActive(ChannelHandlerContext context) {
			this.context = context;
			if (this.endpoint.password() != null) {
				this.handshake.add(RespRequest.of("AUTH", this.endpoint.password()));
			}
			// announces PSYNC2, so that the node continues a history it inherited (a failover) with +CONTINUE <replid>
			this.handshake.add(RespRequest.of("REPLCONF", "capa", "psync2"));
			// listed by the node under a name sentinels never add as a replica to promote
			this.toleratedFrom = this.handshake.size();
			for (String[] announcement : ReplicaAnnouncement.requests(ReplicaAnnouncement.ARCHIVER)) {
				this.handshake.add(RespRequest.of(announcement));
			}
			ReplicationPosition from = StreamArchiver.this.position;
			this.handshake.add((from != null)
					? RespRequest.of("PSYNC", from.replid(), String.valueOf(from.offset() + 1))
					: RespRequest.of("PSYNC", "?", "-1"));
			this.okRepliesExpected = this.handshake.size() - 1;
			context.writeAndFlush(Unpooled.wrappedBuffer(this.handshake.poll()));
		}

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) throws Exception {
			ByteBuf in = (ByteBuf) message;
			try {
				this.splitter.feed(in);
			}
			finally {
				ReferenceCountUtil.release(in);
				handOn();
			}
		}

		private void handOn() {
			if (this.events.isEmpty()) {
				return;
			}
			List<Object> batch = this.events;
			this.events = new ArrayList<>();
			long bytes = this.eventBytes;
			this.eventBytes = 0;
			StreamArchiver.this.work.submit(() -> {
				if (isCurrent()) {
					try {
						apply(batch);
					}
					catch (RuntimeException ex) {
						failSession(ex);
					}
				}
			}, bytes);
		}

		private boolean isCurrent() {
			return this.number == StreamArchiver.this.session && StreamArchiver.this.sessionLive;
		}

		@Override
		public void line(String line) {
			boolean tolerated = this.repliesSeen >= this.toleratedFrom && this.okRepliesExpected > 0;
			this.repliesSeen++;
			if (line.startsWith("-") && !tolerated) {
				throw RedisConnections.describeErrorReply(this.endpoint, line.substring(1), null);
			}
			if (this.okRepliesExpected > 0) {
				this.okRepliesExpected--;
				this.context.writeAndFlush(Unpooled.wrappedBuffer(this.handshake.poll()));
				return;
			}
			if (line.startsWith("+CONTINUE")) {
				StreamArchiver.this.work.submit(() -> {
					if (isCurrent()) {
						try {
							continued(line, this.endpoint);
						}
						catch (RuntimeException ex) {
							failSession(ex);
						}
					}
				});
			}
			else if (line.startsWith("+FULLRESYNC ")) {
				if (!this.withTurn) {
					FullSyncTurns.Turn free = StreamArchiver.this.with.turns().tryTake();
					if (free == null) {
						throw new TurnNeeded(this.endpoint);
					}
					this.withTurn = true;
					StreamArchiver.this.work.submit(() -> adoptTurn(free));
				}
				String[] words = line.split(" ");
				try {
					this.base = new ReplicationPosition(words[1], Long.parseLong(words[2]));
					this.baseAnsweredAt = StreamArchiver.this.with.clock().instant();
				}
				catch (RuntimeException ex) {
					throw new IllegalStateException("Redis at " + this.endpoint.address() + " answered PSYNC with \""
							+ line + "\"");
				}
			}
			else {
				throw new IllegalStateException("Redis at " + this.endpoint.address() + " answered PSYNC with \"" + line
						+ "\"");
			}
		}

		@Override
		public void dumpStarts(long length) {
			if (length < 0) {
				// diskless synchronisation is not announced (no "capa eof"), so a node never sends it
				throw new IllegalStateException("Redis at " + this.endpoint.address()
						+ " sent its dump without announcing its length");
			}
			DumpStream stream = new DumpStream(StreamArchiver.this.work);
			this.dump = stream;
			ReplicationPosition position = this.base;
			Instant answeredAt = this.baseAnsweredAt;
			StreamArchiver.this.work.submitWaiting(() -> {
				if (!isCurrent()) {
					stream.fail(new IOException("the connection ended"));
					return null;
				}
				StreamArchiver.this.inFullSync = true;
				report(null);
				return CompletableFuture.supplyAsync(() -> {
					try {
						return StreamArchiver.this.with.bases().ship(this.database, this.node, stream, length, position,
								answeredAt);
					}
					catch (IOException ex) {
						throw new java.io.UncheckedIOException(ex);
					}
				}, StreamArchiver.this.loop.shippers()).handle((backup, failure) -> {
					if (!isCurrent()) {
						return null;
					}
					if (failure != null) {
						stream.fail(new IOException("the dump could not be shipped"));
						failSession((failure.getCause() != null) ? failure.getCause() : failure);
					}
					else {
						try {
							baseShipped(backup, position, this.node);
						}
						catch (RuntimeException ex) {
							failSession(ex);
						}
					}
					return null;
				});
			}, 0);
		}

		@Override
		public void dump(ByteBuf bytes) {
			byte[] copy = new byte[bytes.readableBytes()];
			bytes.getBytes(bytes.readerIndex(), copy);
			this.dump.offer(copy);
		}

		@Override
		public void dumpEnds() {
			this.dump.end();
			this.dump = null;
		}

		@Override
		public void command(ByteBuf bytes) {
			byte[] copy = new byte[bytes.readableBytes()];
			bytes.getBytes(bytes.readerIndex(), copy);
			this.events.add(copy);
			this.eventBytes += copy.length;
		}

		@Override
		public void commandEnds(long length, CommandKind kind, long arrivalMillis) {
			this.events.add(new CommandEnd(length, kind, arrivalMillis));
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			if (this.failure == null) {
				this.failure = (cause instanceof ReadTimeoutException)
						? new IOException("Redis at " + this.endpoint.address() + " sent nothing for "
								+ SILENCE_LIMIT.toSeconds() + " s")
						: (cause instanceof IOException io) ? RedisConnections.describe(this.endpoint, io) : cause;
			}
			context.close();
		}

		@Override
		public void channelInactive(ChannelHandlerContext context) {
			handOn();
			if (this.dump != null) {
				this.dump.fail(new IOException("Redis closed the connection inside its dump"));
			}
			Throwable cause = this.failure;
			StreamArchiver.this.work.submit(() -> sessionEnded(this.number, cause));
		}

	}

}
