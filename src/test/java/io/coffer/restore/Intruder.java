package io.coffer.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process on the host that is not the restore's target and connects to the restore listener, as the
 * script that watched {@code /proc/net/tcp} for it did: it connects, sends its commands (the replication
 * handshake of a replica that wants the dump) and then reads whatever the listener sends until the
 * listener closes the connection.
 */
final class Intruder implements AutoCloseable {

	private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

	private final Socket socket;

	private final CompletableFuture<String> received;

	private Intruder(Socket socket) {
		this.socket = socket;
		this.received = CompletableFuture.supplyAsync(this::readToTheEnd);
	}

	/** Connects and sends {@code commands} at once; the connection is made before this returns. */
	static Intruder knock(InetSocketAddress listener, List<List<String>> commands) {
		try {
			Socket socket = new Socket(listener.getAddress(), listener.getPort());
			socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
			OutputStream out = socket.getOutputStream();
			for (List<String> command : commands) {
				out.write(resp(command));
			}
			out.flush();
			return new Intruder(socket);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** {@code PSYNC ? -1}, what a replica sends to be sent a full copy. */
	static List<String> psync() {
		return List.of("PSYNC", "?", "-1");
	}

	/** Everything the listener sent, once it closed the connection (Latin-1, so every byte is kept). */
	String received() throws Exception {
		return this.received.get(READ_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
	}

	/** Whether the listener has not closed the connection yet. */
	boolean stillConnected() {
		return !this.received.isDone();
	}

	private String readToTheEnd() {
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		try (InputStream in = this.socket.getInputStream()) {
			in.transferTo(received);
		}
		catch (IOException ex) {
			// a reset once the listener closed: what arrived before is all there was
		}
		return received.toString(StandardCharsets.ISO_8859_1);
	}

	private static byte[] resp(List<String> command) {
		StringBuilder resp = new StringBuilder("*").append(command.size()).append("\r\n");
		for (String argument : command) {
			resp.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(argument)
				.append("\r\n");
		}
		return resp.toString().getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
