package io.coffer.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands a replica sends its primary during the handshake, read as Redis reads a client's: RESP
 * arrays of bulk strings, or inline lines. Every size is bounded (lines and arguments of 4 KiB, 16
 * arguments), so that a peer that is not the target cannot make {@link OneShotPrimary} buffer more.
 */
final class ReplicaCommands {

	/** No command of the replication handshake comes near these: a peer cannot make us buffer more. */
	private static final int MAX_LINE = 4096;

	private static final int MAX_ARGUMENTS = 16;

	private ReplicaCommands() {
	}

	/** One command, as a RESP array of bulk strings or an inline line; null at the end of the stream. */
	static List<String> read(InputStream in) throws IOException {
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
		if (count > MAX_ARGUMENTS) {
			throw new IOException("a command of " + count + " arguments from the replica");
		}
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

}
