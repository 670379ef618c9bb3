package io.coffer.restore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import javax.net.ServerSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary side of Redis replication, for one replica and one full synchronisation: the target is
 * told {@code REPLICAOF} this listener, answers its handshake ({@code PING}, {@code AUTH},
 * {@code REPLCONF}, {@code PSYNC}) with {@code +FULLRESYNC <random id> 0}, and receives the dump as
 * {@code $<length>} and its bytes. Redis then loads it natively, as it would any primary's snapshot.
 * <p>
 * The dump is served only to the target: a connection must come from one of the target's addresses
 * and authenticate as {@link #MASTER_USER} with this listener's one-time secret, which Coffer sets on
 * the target ({@code masteruser}/{@code masterauth}) before telling it to replicate. Any other
 * connection gets an error reply and is closed, without a byte of the dump, and does not use up the one
 * synchronisation: the listener keeps accepting until the target has synced. Each connection is
 * served on a thread of its own, so that one that sends nothing cannot hold the target up.
 */
final class OneShotPrimary implements AutoCloseable {

	/** The user name the target authenticates to the listener with; no ACL user of that name is needed. */
	static final String MASTER_USER = "coffer-restore";

	private static final Logger log = LoggerFactory.getLogger(OneShotPrimary.class);

	private static final int SECRET_BYTES = 32;

	/** What a peer has to finish its handshake in; the target needs milliseconds. */
	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);

	/** Handshakes served at once; beyond that new connections are closed until one ends. */
	private static final int MAX_HANDSHAKES = 64;

	/** How often the replica hears from us once the dump is sent, so that it never times the link out. */
	private static final Duration PING_PERIOD = Duration.ofSeconds(5);

	private static final SecureRandom random = new SecureRandom();

	private final ServerSocket server;

	private final Predicate<InetAddress> target;

	private final String replicationId;

	private final byte[] secret;

	private final ExecutorService connections;

	private final ScheduledExecutorService deadlines;

	private final Semaphore handshakes = new Semaphore(MAX_HANDSHAKES);

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	/** Taken by the one connection that gets the dump. */
	private final AtomicBoolean serving = new AtomicBoolean();

	private final CompletableFuture<OutputStream> synced = new CompletableFuture<>();

	private volatile boolean closed;

	/**
	 * @param sockets plain TCP, or TLS for a target that replicates over TLS
	 * @param target the addresses the target may connect from (see {@link #addressesOf})
	 */
	OneShotPrimary(ServerSocketFactory sockets, String bindAddress, int port, Predicate<InetAddress> target)
			throws IOException {
		this.target = target;
		byte[] id = new byte[20];
		random.nextBytes(id);
		this.replicationId = HexFormat.of().formatHex(id);
		byte[] secret = new byte[SECRET_BYTES];
		random.nextBytes(secret);
		this.secret = HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII);
		this.server = sockets.createServerSocket();
		try {
			this.server.setReuseAddress(true);
			this.server.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port), MAX_HANDSHAKES);
		}
		catch (IOException ex) {
			closeQuietly(this.server);
			throw ex;
		}
		String name = "restore-listener-" + this.server.getLocalPort();
		this.connections = Executors.newCachedThreadPool(daemons(name));
		this.deadlines = Executors.newSingleThreadScheduledExecutor(daemons(name + "-deadlines"));
	}

	/**
	 * The addresses a node reached at {@code host} connects from: those the name resolves to, and any
	 * loopback address when it is a loopback one (a node on this host may connect from any of them, as
	 * the kernel chooses the source address).
	 * @throws UnknownHostException when the name does not resolve
	 */
	static Predicate<InetAddress> addressesOf(String host) throws UnknownHostException {
		Set<InetAddress> resolved = Set.of(InetAddress.getAllByName(host));
		boolean loopback = resolved.stream().anyMatch(InetAddress::isLoopbackAddress);
		return (peer) -> resolved.contains(peer) || (loopback && peer.isLoopbackAddress());
	}

	int port() {
		return this.server.getLocalPort();
	}

	/** What the target is to send as {@code masterauth}; never to be logged. */
	String secret() {
		return new String(this.secret, StandardCharsets.US_ASCII);
	}

	/**
	 * Waits for the target to connect, authenticate and ask for a synchronisation, and announces a
	 * payload of {@code length} bytes.
	 * @return where to write exactly {@code length} bytes of dump
	 * @throws SocketTimeoutException when the target did not ask for a synchronisation in time
	 */
	OutputStream awaitSync(long length, Duration connectTimeout) throws IOException {
		long deadline = System.nanoTime() + connectTimeout.toNanos();
		while (!this.synced.isDone()) {
			long left = (deadline - System.nanoTime()) / 1_000_000;
			if (left <= 0) {
				throw new SocketTimeoutException("the target did not connect to Coffer's replication listener on port "
						+ port() + " within " + connectTimeout.toSeconds() + " s; can it reach that address?");
			}
			this.server.setSoTimeout((int) left);
			Socket socket;
			try {
				socket = this.server.accept();
			}
			catch (SocketTimeoutException ex) {
				continue;
			}
			catch (SocketException ex) {
				if (this.synced.isDone()) {
					// the target's handshake closed the listener behind it
					break;
				}
				throw ex;
			}
			admit(socket, length);
		}
		return this.synced.join();
	}

	/** Hands the connection to a thread of its own, or closes it when too many are being served. */
	private void admit(Socket socket, long length) {
		if (!this.handshakes.tryAcquire()) {
			log.warn("The restore listener on port {} closed a connection from {}: {} others are still in their"
					+ " handshake", port(), socket.getInetAddress().getHostAddress(), MAX_HANDSHAKES);
			closeQuietly(socket);
			return;
		}
		this.open.add(socket);
		try {
			this.connections.execute(() -> serve(socket, length));
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
			this.open.remove(socket);
			this.handshakes.release();
			closeQuietly(socket);
		}
	}

	/** One connection: the handshake, and for the target, what it sends once the dump flows. */
	private void serve(Socket socket, long length) {
		boolean target = false;
		ScheduledFuture<?> deadline = this.deadlines.schedule(() -> closeQuietly(socket),
				HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		String peer = socket.getInetAddress().getHostAddress();
		try {
			socket.setTcpNoDelay(true);
			InputStream in = new BufferedInputStream(socket.getInputStream());
			OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 256 * 1024);
			if (!this.target.test(socket.getInetAddress())) {
				refuse(out, peer, "-ERR Coffer's restore listener serves only the restore's target\r\n",
						"it does not come from the target's address");
				return;
			}
			target = handshake(in, out, length, peer);
			if (target) {
				deadline.cancel(false);
				this.handshakes.release();
				drain(socket, in);
			}
		}
		catch (IOException ex) {
			log.debug("A connection from {} to the restore listener failed its handshake: {}", peer, ex.getMessage());
		}
		finally {
			deadline.cancel(false);
			if (!target) {
				this.handshakes.release();
				this.open.remove(socket);
				closeQuietly(socket);
			}
		}
	}

	/**
	 * Answers commands until the target asks for a synchronisation; false when the peer went away, or
	 * was refused, before that.
	 */
	private boolean handshake(InputStream in, OutputStream out, long length, String peer) throws IOException {
		boolean authenticated = false;
		while (true) {
			List<String> command = ReplicaCommands.read(in);
			if (command == null) {
				return false;
			}
			if (command.isEmpty()) {
				continue;
			}
			String name = command.get(0).toUpperCase(Locale.ROOT);
			if (name.equals("PING")) {
				// Redis replicas ping before they authenticate: the answer tells nothing
				reply(out, "+PONG\r\n");
			}
			else if (name.equals("AUTH")) {
				if (!isTheTarget(command)) {
					refuse(out, peer, "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
							"it did not authenticate with the restore's secret");
					return false;
				}
				authenticated = true;
				reply(out, "+OK\r\n");
			}
			else if (!authenticated) {
				refuse(out, peer, "-NOAUTH Authentication required.\r\n",
						"it sent " + name + " without authenticating first");
				return false;
			}
			else if (name.equals("REPLCONF") || name.equals("SELECT")) {
				reply(out, "+OK\r\n");
			}
			else if (name.equals("PSYNC") || name.equals("SYNC")) {
				return startSync(out, length, name.equals("PSYNC"), peer);
			}
			else {
				reply(out, "-ERR this is Coffer's restore listener, which only serves a full resync\r\n");
			}
		}
	}

	/** {@code AUTH <user> <password>} with our user and secret, the password compared in constant time. */
	private boolean isTheTarget(List<String> auth) {
		if (auth.size() != 3) {
			return false;
		}
		boolean user = MASTER_USER.equals(auth.get(1));
		boolean password = MessageDigest.isEqual(auth.get(2).getBytes(StandardCharsets.UTF_8), this.secret);
		return user & password;
	}

	/** Announces the dump to the one connection that gets it: a second one (a reconnection) is refused. */
	private boolean startSync(OutputStream out, long length, boolean psync, String peer) throws IOException {
		if (!this.serving.compareAndSet(false, true)) {
			refuse(out, peer, "-ERR the restore's dump is already being sent\r\n", "the dump is already being sent");
			return false;
		}
		try {
			reply(out, (psync ? "+FULLRESYNC " + this.replicationId + " 0\r\n" : "") + "$" + length + "\r\n");
		}
		catch (IOException ex) {
			// the target can connect again: the synchronisation is still to be had
			this.serving.set(false);
			throw ex;
		}
		this.synced.complete(out);
		// nobody else is to be served: the accept loop wakes up and returns
		closeQuietly(this.server);
		return true;
	}

	private static void refuse(OutputStream out, String peer, String error, String reason) throws IOException {
		log.warn("The restore listener refused a connection from {}: {}", peer, reason);
		reply(out, error);
	}

	/** Keeps reading what the replica sends ({@code REPLCONF ACK}s) until the listener closes. */
	private void drain(Socket socket, InputStream in) {
		try {
			socket.setSoTimeout((int) PING_PERIOD.toMillis());
			byte[] buffer = new byte[4096];
			while (!this.closed) {
				try {
					if (in.read(buffer) < 0) {
						return;
					}
				}
				catch (SocketTimeoutException ex) {
					// nothing to read: fine
				}
			}
		}
		catch (IOException ex) {
			// the replica went away or we closed: the load step notices through the target itself
		}
	}

	/**
	 * Pings the replica over the replication stream; call after the payload was sent. The replica
	 * applies it as a no-op command, and it keeps the link from timing out while Coffer waits.
	 */
	void ping(OutputStream out) throws IOException {
		synchronized (out) {
			out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}
	}

	static Duration pingPeriod() {
		return PING_PERIOD;
	}

	private static void reply(OutputStream out, String reply) throws IOException {
		out.write(reply.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	@Override
	public void close() {
		this.closed = true;
		closeQuietly(this.server);
		this.connections.shutdownNow();
		this.deadlines.shutdownNow();
		// the target's connection and any still in their handshake
		this.open.forEach(OneShotPrimary::closeQuietly);
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	private static ThreadFactory daemons(String name) {
		return (task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		};
	}

}
