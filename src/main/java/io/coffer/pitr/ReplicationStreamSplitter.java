package io.coffer.pitr;

import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Splits what a primary sends a replica, as it arrives in buffers of any size: reply lines (the handshake's, then
 * {@code +FULLRESYNC} or {@code +CONTINUE}), the dump that follows a full synchronisation ({@code $<length>} or the
 * {@code $EOF:<mark>} form of diskless synchronisation), then the command stream, each command with the
 * millisecond its last byte arrived. Nothing is accumulated beyond a header line and an EOF mark: the dump's and
 * the commands' bytes are handed on as slices of the buffer being read, so a value of any size passes through.
 */
final class ReplicationStreamSplitter {

	/** What the stream holds, in order. Slices are valid during the call only. */
	interface Listener {

		void line(String line);

		/** @param length the dump's bytes, or -1 in the EOF-marker form */
		void dumpStarts(long length);

		void dump(ByteBuf bytes);

		void dumpEnds();

		void command(ByteBuf bytes);

		void commandEnds(long length, CommandKind kind, long arrivalMillis);

	}

	static final int MAX_LINE = 1024;

	private static final int MARK_LENGTH = 40;

	private static final int MAX_ARGUMENTS = 1 << 20;

	private static final long MAX_ARGUMENT_LENGTH = 1L << 32;

	private static final int KIND_PREFIX = 8;

	private enum State {

		LINE, DUMP_HEADER, DUMP, DUMP_TO_MARK, COMMAND_START, COMMAND_HEADER, ARGUMENT_START, ARGUMENT_HEADER,
		ARGUMENT

	}

	private final Listener listener;

	private final LongSupplier clock;

	private final byte[] line = new byte[MAX_LINE];

	private int lineLength;

	private boolean lineSawCr;

	private State state = State.LINE;

	private long dumpLeft;

	private byte[] mark;

	/** The last bytes of an EOF-form dump seen so far, held back until it is known whether they are the mark. */
	private final byte[] tail = new byte[MARK_LENGTH];

	private int tailLength;

	private long commandLength;

	private long argumentsLeft;

	private long argumentIndex;

	private long argumentLeft;

	private final StringBuilder name = new StringBuilder(KIND_PREFIX);

	private final StringBuilder subcommand = new StringBuilder(KIND_PREFIX);

	private long arguments;

	ReplicationStreamSplitter(Listener listener, LongSupplier clock) {
		this.listener = listener;
		this.clock = clock;
	}

	/** Whether the command stream has begun (after {@code +CONTINUE} or the dump). */
	boolean streaming() {
		return this.state.ordinal() >= State.COMMAND_START.ordinal();
	}

	/** Whether the stream stands between two commands. */
	boolean betweenCommands() {
		return this.state == State.COMMAND_START;
	}

	/** Splits what {@code in} holds; reads all of it. */
	void feed(ByteBuf in) throws ReplicationStreamException {
		while (in.isReadable()) {
			switch (this.state) {
				case LINE -> replyLine(in);
				case DUMP_HEADER -> dumpHeader(in);
				case DUMP -> dump(in);
				case DUMP_TO_MARK -> dumpToMark(in);
				case COMMAND_START -> commandStart(in);
				case COMMAND_HEADER, ARGUMENT_HEADER -> commandHeader(in);
				case ARGUMENT_START -> argumentStart(in);
				case ARGUMENT -> argument(in);
			}
		}
	}

	private void replyLine(ByteBuf in) throws ReplicationStreamException {
		String reply = readLine(in, true);
		if (reply == null) {
			return;
		}
		this.listener.line(reply);
		if (reply.startsWith("+FULLRESYNC")) {
			this.state = State.DUMP_HEADER;
		}
		else if (reply.startsWith("+CONTINUE")) {
			this.state = State.COMMAND_START;
		}
	}

	private void dumpHeader(ByteBuf in) throws ReplicationStreamException {
		String header = readLine(in, true);
		if (header == null) {
			return;
		}
		if (header.startsWith("$EOF:") && header.length() == 5 + MARK_LENGTH) {
			this.mark = header.substring(5).getBytes(StandardCharsets.US_ASCII);
			this.tailLength = 0;
			this.state = State.DUMP_TO_MARK;
			this.listener.dumpStarts(-1);
			return;
		}
		try {
			if (!header.startsWith("$")) {
				throw new NumberFormatException();
			}
			this.dumpLeft = Long.parseLong(header.substring(1));
			if (this.dumpLeft < 0) {
				throw new NumberFormatException();
			}
		}
		catch (NumberFormatException ex) {
			throw new ReplicationStreamException("the node announced its dump with \"" + header + "\"");
		}
		this.listener.dumpStarts(this.dumpLeft);
		this.state = State.DUMP;
		if (this.dumpLeft == 0) {
			endDump();
		}
	}

	private void dump(ByteBuf in) {
		int count = (int) Math.min(in.readableBytes(), this.dumpLeft);
		this.listener.dump(in.readSlice(count));
		this.dumpLeft -= count;
		if (this.dumpLeft == 0) {
			endDump();
		}
	}

	/**
	 * The EOF form: everything up to the mark is the dump. The mark is looked for in what was held back and what
	 * arrived; the last bytes, which may begin the mark, are held back in {@link #tail}.
	 */
	private void dumpToMark(ByteBuf in) {
		int total = this.tailLength + in.readableBytes();
		int found = -1;
		for (int at = 0; at + MARK_LENGTH <= total && found < 0; at++) {
			if (markAt(in, at)) {
				found = at;
			}
		}
		int emit = (found >= 0) ? found : total - Math.min(total, MARK_LENGTH - 1);
		int fromTail = Math.min(this.tailLength, emit);
		if (fromTail > 0) {
			this.listener.dump(Unpooled.wrappedBuffer(this.tail, 0, fromTail));
		}
		if (emit > fromTail) {
			this.listener.dump(in.readSlice(emit - fromTail));
		}
		System.arraycopy(this.tail, fromTail, this.tail, 0, this.tailLength - fromTail);
		this.tailLength -= fromTail;
		if (found >= 0) {
			in.skipBytes(MARK_LENGTH - this.tailLength);
			this.tailLength = 0;
			endDump();
			return;
		}
		int rest = in.readableBytes();
		in.readBytes(this.tail, this.tailLength, rest);
		this.tailLength += rest;
	}

	/** Whether the mark starts at {@code at} of the held-back bytes followed by {@code in}'s. */
	private boolean markAt(ByteBuf in, int at) {
		for (int i = 0; i < MARK_LENGTH; i++) {
			int p = at + i;
			byte b = (p < this.tailLength) ? this.tail[p] : in.getByte(in.readerIndex() + p - this.tailLength);
			if (b != this.mark[i]) {
				return false;
			}
		}
		return true;
	}

	private void endDump() {
		this.listener.dumpEnds();
		this.state = State.COMMAND_START;
	}

	private void commandStart(ByteBuf in) throws ReplicationStreamException {
		byte first = in.getByte(in.readerIndex());
		if (first != '*') {
			throw new ReplicationStreamException("the replication stream holds '" + printable(first)
					+ "' where a command starts");
		}
		this.listener.command(in.readSlice(1));
		this.commandLength = 1;
		this.name.setLength(0);
		this.subcommand.setLength(0);
		this.lineLength = 0;
		this.lineSawCr = false;
		this.state = State.COMMAND_HEADER;
	}

	private void argumentStart(ByteBuf in) throws ReplicationStreamException {
		byte marker = in.getByte(in.readerIndex());
		if (marker != '$') {
			throw new ReplicationStreamException("the replication stream holds '" + printable(marker)
					+ "' where an argument starts");
		}
		this.listener.command(in.readSlice(1));
		this.commandLength++;
		this.lineLength = 0;
		this.lineSawCr = false;
		this.state = State.ARGUMENT_HEADER;
	}

	/** The count line of a command or the length line of an argument: copied on, and read. */
	private void commandHeader(ByteBuf in) throws ReplicationStreamException {
		int start = in.readerIndex();
		String header = readLine(in, false);
		this.listener.command(in.slice(start, in.readerIndex() - start));
		this.commandLength += in.readerIndex() - start;
		if (header == null) {
			return;
		}
		long number;
		try {
			number = Long.parseLong(header);
		}
		catch (NumberFormatException ex) {
			throw new ReplicationStreamException("the replication stream holds \"" + header + "\" where "
					+ ((this.state == State.COMMAND_HEADER) ? "the argument count" : "an argument's length") + " belongs");
		}
		if (this.state == State.COMMAND_HEADER) {
			if (number < 1 || number > MAX_ARGUMENTS) {
				throw new ReplicationStreamException("the replication stream announces a command of " + number
						+ " arguments");
			}
			this.arguments = number;
			this.argumentsLeft = number;
			this.argumentIndex = 0;
			this.state = State.ARGUMENT_START;
			return;
		}
		if (number < 0 || number > MAX_ARGUMENT_LENGTH) {
			throw new ReplicationStreamException("the replication stream announces an argument of " + number + " bytes");
		}
		this.argumentLeft = number + 2;
		this.state = State.ARGUMENT;
	}

	private void argument(ByteBuf in) {
		int count = (int) Math.min(in.readableBytes(), this.argumentLeft);
		StringBuilder kept = (this.argumentIndex == 0) ? this.name : (this.argumentIndex == 1) ? this.subcommand : null;
		if (kept != null) {
			// the argument's bytes without its CRLF
			for (int i = 0; i < count && kept.length() < KIND_PREFIX && this.argumentLeft - i > 2; i++) {
				kept.append((char) (in.getByte(in.readerIndex() + i) & 0xff));
			}
		}
		this.listener.command(in.readSlice(count));
		this.commandLength += count;
		this.argumentLeft -= count;
		if (this.argumentLeft > 0) {
			return;
		}
		this.argumentIndex++;
		if (--this.argumentsLeft > 0) {
			this.state = State.ARGUMENT_START;
			return;
		}
		this.state = State.COMMAND_START;
		this.listener.commandEnds(this.commandLength,
				CommandKind.of(this.name.toString(), this.subcommand.toString(), this.arguments), this.clock.getAsLong());
	}

	/**
	 * Reads a line up to its CRLF, across buffers; answers it without the CRLF once whole, else null.
	 * {@code skipEmpty}: the keep-alive newlines a primary sends while it prepares its dump are skipped.
	 */
	private String readLine(ByteBuf in, boolean skipEmpty) throws ReplicationStreamException {
		while (in.isReadable()) {
			byte next = in.readByte();
			if (next == '\n') {
				if (this.lineLength == 0 && skipEmpty) {
					this.lineSawCr = false;
					continue;
				}
				String text = new String(this.line, 0, this.lineLength, StandardCharsets.UTF_8);
				this.lineLength = 0;
				this.lineSawCr = false;
				return text;
			}
			if (next == '\r') {
				this.lineSawCr = true;
				continue;
			}
			if (this.lineSawCr && !skipEmpty) {
				throw new ReplicationStreamException("the replication stream holds a CR without LF in a command's header");
			}
			if (this.lineLength == (skipEmpty ? MAX_LINE : 64)) {
				throw new ReplicationStreamException("the node sent a line longer than " + this.lineLength + " bytes");
			}
			this.line[this.lineLength++] = next;
		}
		return null;
	}

	private static String printable(int b) {
		return (b >= 0x20 && b < 0x7f) ? String.valueOf((char) b) : String.format("\\x%02x", b);
	}

	/** The node sent something that is not the replication protocol. */
	static final class ReplicationStreamException extends java.io.IOException {

		ReplicationStreamException(String message) {
			super(message);
		}

	}

}
