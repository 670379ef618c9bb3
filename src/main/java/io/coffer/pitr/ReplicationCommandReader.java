package io.coffer.pitr;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the command stream a primary sends its replicas after the synchronisation, one command at a time
 * ({@code *<n>\r\n} then {@code n} bulk strings), copying every byte to a sink as it goes: a value of any size
 * passes through a fixed buffer. Only the first bytes of the first two arguments are kept, to know the
 * command's kind.
 */
final class ReplicationCommandReader {

	private static final int MAX_LINE = 64;

	private static final int MAX_ARGUMENTS = 1 << 20;

	private static final long MAX_ARGUMENT_LENGTH = 1L << 32;

	private final InputStream in;

	private final byte[] buffer = new byte[64 * 1024];

	private final byte[] line = new byte[MAX_LINE];

	ReplicationCommandReader(InputStream in) {
		this.in = in;
	}

	enum Kind {

		OTHER, MULTI, EXEC, GETACK

	}

	/** One command read whole: its bytes in the stream (what it moves the offset by) and its kind. */
	record Command(long length, Kind kind) {
	}

	/** Reads the next command into {@code sink}; {@code null} at the end of the stream between commands. */
	Command next(OutputStream sink) throws IOException {
		int first = this.in.read();
		if (first == -1) {
			return null;
		}
		if (first != '*') {
			throw new IOException("the replication stream holds '" + printable(first) + "' where a command starts");
		}
		long length = 1;
		sink.write(first);
		int lineLength = readLine(sink);
		length += lineLength + 2;
		long arguments = number(lineLength, "the argument count");
		if (arguments < 1 || arguments > MAX_ARGUMENTS) {
			throw new IOException("the replication stream announces a command of " + arguments + " arguments");
		}
		String name = "";
		String subcommand = "";
		for (long i = 0; i < arguments; i++) {
			int marker = this.in.read();
			if (marker != '$') {
				throw new IOException((marker == -1) ? "the replication stream ended inside a command"
						: "the replication stream holds '" + printable(marker) + "' where an argument starts");
			}
			sink.write(marker);
			int headerLength = readLine(sink);
			length += 1 + headerLength + 2;
			long size = number(headerLength, "an argument's length");
			if (size < 0 || size > MAX_ARGUMENT_LENGTH) {
				throw new IOException("the replication stream announces an argument of " + size + " bytes");
			}
			String start = copy(size + 2, sink);
			length += size + 2;
			if (i == 0) {
				name = start;
			}
			else if (i == 1) {
				subcommand = start;
			}
		}
		return new Command(length, kind(name, subcommand, arguments));
	}

	private static Kind kind(String name, String subcommand, long arguments) {
		if (arguments == 1 && name.equalsIgnoreCase("MULTI")) {
			return Kind.MULTI;
		}
		if (arguments == 1 && name.equalsIgnoreCase("EXEC")) {
			return Kind.EXEC;
		}
		if (name.equalsIgnoreCase("REPLCONF") && subcommand.equalsIgnoreCase("GETACK")) {
			return Kind.GETACK;
		}
		return Kind.OTHER;
	}

	/** Copies {@code count} bytes (an argument and its CRLF); answers its first few bytes as text. */
	private String copy(long count, OutputStream sink) throws IOException {
		String start = null;
		long left = count;
		while (left > 0) {
			int read = this.in.read(this.buffer, 0, (int) Math.min(this.buffer.length, left));
			if (read == -1) {
				throw new IOException("the replication stream ended inside a command");
			}
			if (start == null) {
				start = new String(this.buffer, 0, (int) Math.min(read, Math.min(count - 2, 8)),
						StandardCharsets.US_ASCII);
			}
			sink.write(this.buffer, 0, read);
			left -= read;
		}
		return (start != null) ? start : "";
	}

	/** Reads up to and including CRLF, copying it; answers the length without the CRLF, kept in {@link #line}. */
	private int readLine(OutputStream sink) throws IOException {
		int length = 0;
		while (true) {
			int next = this.in.read();
			if (next == -1) {
				throw new IOException("the replication stream ended inside a command");
			}
			sink.write(next);
			if (next == '\r') {
				int lf = this.in.read();
				if (lf != '\n') {
					throw new IOException("the replication stream holds a CR without LF in a command's header");
				}
				sink.write(lf);
				return length;
			}
			if (length == MAX_LINE) {
				throw new IOException("the replication stream holds a command header longer than " + MAX_LINE + " bytes");
			}
			this.line[length++] = (byte) next;
		}
	}

	private long number(int length, String what) throws IOException {
		try {
			return Long.parseLong(new String(this.line, 0, length, StandardCharsets.US_ASCII));
		}
		catch (NumberFormatException ex) {
			throw new IOException("the replication stream holds \"" + new String(this.line, 0, length,
					StandardCharsets.US_ASCII) + "\" where " + what + " belongs");
		}
	}

	private static String printable(int b) {
		return (b >= 0x20 && b < 0x7f) ? String.valueOf((char) b) : String.format("\\x%02x", b);
	}

}
