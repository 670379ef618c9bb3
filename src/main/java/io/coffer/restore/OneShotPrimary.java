package io.coffer.restore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import javax.net.ServerSocketFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary side of Redis replication, for one replica and one full synchronisation: the target is
 * told {@code REPLICAOF} this listener, answers its handshake ({@code PING}, {@code AUTH},
 * {@code REPLCONF}, {@code PSYNC}) with {@code +FULLRESYNC <random id> 0}, and receives the dump as
 * {@code $<length>} and its bytes. Redis then loads it natively, as it would any primary's snapshot.
 * <p>
 * Any {@code AUTH} is accepted (the target sends its {@code masterauth}, which is not ours to know);
 * the listener serves one synchronisation and then stops accepting.
 */
final class OneShotPrimary implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(OneShotPrimary.class);

	private static final int MAX_LINE = 64 * 1024;

	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

	/** How often the replica hears from us once the dump is sent, so that it never times the link out. */
	private static final Duration PING_PERIOD = Duration.ofSeconds(5);

	private static final SecureRandom random = new SecureRandom();

	private final ServerSocket server;

	private final String replicationId;

	private volatile Socket replica;

	private volatile boolean closed;

	/**
	 * @param sockets plain TCP, or TLS for a target that replicates over TLS
	 */
	OneShotPrimary(ServerSocketFactory sockets, String bindAddress, int port) throws IOException {
		this.server = sockets.createServerSocket();
		this.server.setReuseAddress(true);
		this.server.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 1);
		byte[] id = new byte[20];
		random.nextBytes(id);
		this.replicationId = HexFormat.of().formatHex(id);
	}

	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Waits for the replica to connect and ask for a synchronisation, and announces a payload of
	 * {@code length} bytes.
	 * @return where to write exactly {@code length} bytes of dump
	 * @throws SocketTimeoutException when no replica asked for a synchronisation in time
	 */
	OutputStream awaitSync(long length, Duration connectTimeout) throws IOException {
		long deadline = System.nanoTime() + connectTimeout.toNanos();
		while (true) {
			long left = (deadline - System.nanoTime()) / 1_000_000;
			if (left <= 0) {
				throw new SocketTimeoutException("the target did not connect to Coffer's replication listener on port "
						+ port() + " within " + connectTimeout.toSeconds() + " s; can it reach that address?");
			}
			this.server.setSoTimeout((int) left);
			Socket socket = this.server.accept();
			try {
				socket.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
				socket.setTcpNoDelay(true);
				InputStream in = new BufferedInputStream(socket.getInputStream());
				OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 256 * 1024);
				if (handshake(in, out, length)) {
					this.replica = socket;
					this.server.close();
					drainInBackground(socket, in);
					return out;
				}
				socket.close();
			}
			catch (IOException ex) {
				log.debug("A connection to the restore listener failed its handshake: {}", ex.getMessage());
				socket.close();
			}
		}
	}

	/** Answers commands until a synchronisation is asked for; false when the peer went away before that. */
	private boolean handshake(InputStream in, OutputStream out, long length) throws IOException {
		while (true) {
			List<String> command = readCommand(in);
			if (command == null) {
				return false;
			}
			if (command.isEmpty()) {
				continue;
			}
			String name = command.get(0).toUpperCase(Locale.ROOT);
			switch (name) {
				case "PING" -> reply(out, "+PONG\r\n");
				case "AUTH", "REPLCONF", "SELECT" -> reply(out, "+OK\r\n");
				case "PSYNC" -> {
					reply(out, "+FULLRESYNC " + this.replicationId + " 0\r\n$" + length + "\r\n");
					return true;
				}
				case "SYNC" -> {
					reply(out, "$" + length + "\r\n");
					return true;
				}
				default -> reply(out, "-ERR this is Coffer's restore listener, which only serves a full resync\r\n");
			}
		}
	}

	/** Keeps reading what the replica sends ({@code REPLCONF ACK}s) and pings it now and then. */
	private void drainInBackground(Socket socket, InputStream in) {
		Thread reader = new Thread(() -> {
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
		}, "restore-listener-" + port());
		reader.setDaemon(true);
		reader.start();
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

	/** One command, as a RESP array of bulk strings or an inline line; null at the end of the stream. */
	private static List<String> readCommand(InputStream in) throws IOException {
		String line = readLine(in);
		if (line == null) {
			return null;
		}
		List<String> arguments = new ArrayList<>();
		if (!line.startsWith("*")) {
			for (String part : line.trim().split("\\s+")) {
				if (!part.isEmpty()) {
					arguments.add(part);
				}
			}
			return arguments;
		}
		int count = parseLength(line);
		for (int i = 0; i < count; i++) {
			String header = readLine(in);
			if (header == null || !header.startsWith("$")) {
				throw new IOException("malformed command from the replica: " + header);
			}
			int size = parseLength(header);
			byte[] argument = in.readNBytes(size);
			if (argument.length != size || in.read() != '\r' || in.read() != '\n') {
				throw new IOException("the replica's command ended early");
			}
			arguments.add(new String(argument, StandardCharsets.UTF_8));
		}
		return arguments;
	}

	private static int parseLength(String line) throws IOException {
		try {
			int length = Integer.parseInt(line.substring(1));
			if (length < 0 || length > MAX_LINE) {
				throw new IOException("a length of " + length + " in the replica's command");
			}
			return length;
		}
		catch (NumberFormatException ex) {
			throw new IOException("malformed length in the replica's command: " + line);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		while (true) {
			int next = in.read();
			if (next == -1) {
				return (line.size() == 0) ? null : line.toString(StandardCharsets.UTF_8);
			}
			if (next == '\n') {
				return line.toString(StandardCharsets.UTF_8);
			}
			if (next != '\r') {
				line.write(next);
			}
			if (line.size() > MAX_LINE) {
				throw new IOException("a line longer than " + MAX_LINE + " bytes from the replica");
			}
		}
	}

	@Override
	public void close() {
		this.closed = true;
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
		Socket socket = this.replica;
		if (socket != null) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
	}

}
