package io.coffer.pitr;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.coffer.redis.RespRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a primary sends a replica, split whatever the sizes of the buffers it arrives in: the reply lines, the dump
 * (both forms), then each command with its bytes, length and kind.
 */
class ReplicationStreamSplitterTests {

	/** A value that reads like the start of a command: only the counts tell where commands begin. */
	private static final String RESP_LOOKING_VALUE = "*3\r\n$3\r\nSET\r\n";

	private static final String MARK = "0123456789abcdef0123456789abcdef01234567";

	@Test
	void aFullSynchronisationFedOneByteAtATimeIsSplitLikeOneFedWhole() throws Exception {
		byte[] stream = fullSynchronisation("$", dump(5_000));
		Recorder whole = feed(stream, stream.length);
		Recorder byteByByte = feed(stream, 1);
		Recorder odd = feed(stream, 7);
		assertThat(whole.lines).containsExactly("+OK", "+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 0");
		assertThat(whole.dumpLength).isEqualTo(5_000);
		assertThat(whole.dump.toByteArray()).isEqualTo(dump(5_000));
		assertThat(whole.ends).containsExactly("OTHER:" + RespRequest.of("SET", "k", RESP_LOOKING_VALUE).length, "MULTI:15",
				"OTHER:" + RespRequest.of("INCR", "n").length, "EXEC:14",
				"GETACK:" + RespRequest.of("REPLCONF", "GETACK", "*").length);
		assertThat(whole.commands.toByteArray()).isEqualTo(commands());
		for (Recorder other : List.of(byteByByte, odd)) {
			assertThat(other.lines).isEqualTo(whole.lines);
			assertThat(other.dump.toByteArray()).isEqualTo(whole.dump.toByteArray());
			assertThat(other.ends).isEqualTo(whole.ends);
			assertThat(other.commands.toByteArray()).isEqualTo(whole.commands.toByteArray());
		}
	}

	@Test
	void theEofMarkerFormEndsTheDumpAtItsMarkWhereverTheBuffersAreCut() throws Exception {
		byte[] dump = dump(3_000);
		byte[] stream = fullSynchronisation("$EOF:" + MARK, concat(dump, MARK.getBytes(StandardCharsets.US_ASCII)));
		for (int size : new int[] { 1, 3, 39, 40, 41, 1000, stream.length }) {
			Recorder recorder = feed(stream, size);
			assertThat(recorder.dumpLength).isEqualTo(-1);
			assertThat(recorder.dump.toByteArray()).as("buffers of %d bytes", size).isEqualTo(dump);
			assertThat(recorder.commands.toByteArray()).as("buffers of %d bytes", size).isEqualTo(commands());
			assertThat(recorder.ends).hasSize(5);
		}
	}

	@Test
	void aHugeValuePassesThroughWithoutBeingHeld() throws Exception {
		byte[] big = new byte[8 * 1024 * 1024];
		new Random(7).nextBytes(big);
		for (int i = 0; i < big.length; i++) {
			big[i] &= 0x7f; // ASCII, so that the request's UTF-8 keeps its length
		}
		byte[] command = RespRequest.of("SET", "big", new String(big, StandardCharsets.US_ASCII));
		Recorder recorder = new Recorder();
		ReplicationStreamSplitter splitter = new ReplicationStreamSplitter(recorder, () -> 42L);
		splitter.feed(Unpooled.copiedBuffer("+CONTINUE\r\n", StandardCharsets.US_ASCII));
		for (int at = 0; at < command.length; at += 64 * 1024) {
			ByteBuf buffer = Unpooled.wrappedBuffer(command, at, Math.min(64 * 1024, command.length - at));
			splitter.feed(buffer);
			assertThat(recorder.largestSlice).isLessThanOrEqualTo(64 * 1024);
		}
		assertThat(recorder.ends).containsExactly("OTHER:" + command.length);
		assertThat(recorder.arrivals).containsExactly(42L);
		assertThat(recorder.commands.toByteArray()).isEqualTo(command);
		assertThat(splitter.betweenCommands()).isTrue();
	}

	@Test
	void whatIsNotTheProtocolIsRefused() throws Exception {
		Recorder recorder = new Recorder();
		ReplicationStreamSplitter splitter = new ReplicationStreamSplitter(recorder, () -> 0L);
		splitter.feed(Unpooled.copiedBuffer("+CONTINUE\r\n", StandardCharsets.US_ASCII));
		assertThatThrownBy(() -> splitter.feed(Unpooled.copiedBuffer("hello\r\n", StandardCharsets.US_ASCII)))
			.hasMessageContaining("'h' where a command starts");
		ReplicationStreamSplitter other = new ReplicationStreamSplitter(recorder, () -> 0L);
		assertThatThrownBy(() -> other.feed(Unpooled.copiedBuffer("+FULLRESYNC r 0\r\n$abc\r\n",
				StandardCharsets.US_ASCII))).hasMessageContaining("announced its dump with \"$abc\"");
		ReplicationStreamSplitter third = new ReplicationStreamSplitter(recorder, () -> 0L);
		third.feed(Unpooled.copiedBuffer("+CONTINUE\r\n", StandardCharsets.US_ASCII));
		assertThatThrownBy(() -> third.feed(Unpooled.copiedBuffer("*" + "9".repeat(100), StandardCharsets.US_ASCII)))
			.hasMessageContaining("longer than");
	}

	private static byte[] commands() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(RespRequest.of("SET", "k", RESP_LOOKING_VALUE));
		out.writeBytes(RespRequest.of("MULTI"));
		out.writeBytes(RespRequest.of("INCR", "n"));
		out.writeBytes(RespRequest.of("EXEC"));
		out.writeBytes(RespRequest.of("REPLCONF", "GETACK", "*"));
		return out.toByteArray();
	}

	private static byte[] fullSynchronisation(String header, byte[] dumpBytes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes("+OK\r\n+FULLRESYNC 8de1787ba490483314a4d30f1c628bc5025eb761 0\r\n\n\n"
			.getBytes(StandardCharsets.US_ASCII));
		String line = header.startsWith("$EOF:") ? header : "$" + dumpBytes.length;
		out.writeBytes((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
		out.writeBytes(dumpBytes);
		out.writeBytes(commands());
		return out.toByteArray();
	}

	/** Bytes like a dump's, holding the protocol's own markers so that nothing is read into them. */
	private static byte[] dump(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		byte[] tricky = ("*1\r\n$4\r\nPING\r\n" + MARK.substring(0, 39)).getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(tricky, 0, bytes, size / 2, tricky.length);
		return bytes;
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, both, a.length, b.length);
		return both;
	}

	private static Recorder feed(byte[] stream, int bufferSize) throws Exception {
		Recorder recorder = new Recorder();
		ReplicationStreamSplitter splitter = new ReplicationStreamSplitter(recorder, () -> 1L);
		for (int at = 0; at < stream.length; at += bufferSize) {
			splitter.feed(Unpooled.wrappedBuffer(stream, at, Math.min(bufferSize, stream.length - at)));
		}
		return recorder;
	}

	private static final class Recorder implements ReplicationStreamSplitter.Listener {

		final List<String> lines = new ArrayList<>();

		final ByteArrayOutputStream dump = new ByteArrayOutputStream();

		final ByteArrayOutputStream commands = new ByteArrayOutputStream();

		final List<String> ends = new ArrayList<>();

		final List<Long> arrivals = new ArrayList<>();

		long dumpLength = Long.MIN_VALUE;

		int largestSlice;

		@Override
		public void line(String line) {
			this.lines.add(line);
		}

		@Override
		public void dumpStarts(long length) {
			this.dumpLength = length;
		}

		@Override
		public void dump(ByteBuf bytes) {
			byte[] copy = new byte[bytes.readableBytes()];
			bytes.getBytes(bytes.readerIndex(), copy);
			this.dump.writeBytes(copy);
		}

		@Override
		public void dumpEnds() {
		}

		@Override
		public void command(ByteBuf bytes) {
			this.largestSlice = Math.max(this.largestSlice, bytes.readableBytes());
			byte[] copy = new byte[bytes.readableBytes()];
			bytes.getBytes(bytes.readerIndex(), copy);
			this.commands.writeBytes(copy);
		}

		@Override
		public void commandEnds(long length, CommandKind kind, long arrivalMillis) {
			this.ends.add(kind + ":" + length);
			this.arrivals.add(arrivalMillis);
		}

	}

}
