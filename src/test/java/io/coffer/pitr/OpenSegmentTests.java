package io.coffer.pitr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.coffer.redis.RespRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A segment sealed when the connection ends holds whole commands and whole MULTI/EXEC blocks only: what a restore
 * replays from it is never half a command or half a transaction, and the stream continues where it ends.
 */
class OpenSegmentTests {

	@TempDir
	Path folder;

	@Test
	void aSegmentSealedInsideABlockEndsBeforeItsMulti() throws IOException {
		byte[] set = RespRequest.of("SET", "before", "1");
		OpenSegment segment = new OpenSegment(this.folder, "a".repeat(40), 101);
		write(segment, set, RespRequest.of("MULTI"), RespRequest.of("INCR", "counter"));
		assertThat(segment.insideMulti()).isTrue();

		segment.seal();

		assertThat(Files.readAllBytes(segment.streamFile)).isEqualTo(set);
		assertThat(Files.size(segment.indexFile)).isEqualTo(OpenSegment.INDEX_ENTRY);
		assertThat(segment.commands()).isEqualTo(1);
		assertThat(segment.endOffset()).isEqualTo(101 + set.length - 1);
	}

	@Test
	void aSegmentSealedInsideACommandEndsAtTheLastWholeOne() throws IOException {
		byte[][] commands = { RespRequest.of("MULTI"), RespRequest.of("INCR", "counter"), RespRequest.of("EXEC") };
		byte[] block = concat(commands);
		OpenSegment segment = new OpenSegment(this.folder, "b".repeat(40), 1);
		write(segment, commands);
		byte[] half = RespRequest.of("SET", "cut", "value");
		segment.sink().write(half, 0, half.length / 2);

		segment.seal();

		assertThat(Files.readAllBytes(segment.streamFile)).isEqualTo(block);
		assertThat(segment.commands()).isEqualTo(3);
		assertThat(segment.endOffset()).isEqualTo(block.length);
	}

	@Test
	void aSegmentHoldingOnlyAnOpenBlockHasNothingToSeal() throws IOException {
		OpenSegment segment = new OpenSegment(this.folder, "c".repeat(40), 500);
		write(segment, RespRequest.of("MULTI"), RespRequest.of("DEL", "k"));

		segment.seal();

		assertThat(segment.commands()).isZero();
		assertThat(segment.endOffset()).as("the stream continues at the MULTI").isEqualTo(499);
	}

	/** Each command whole, as the archiver's splitter hands them over: its bytes, then its end and kind. */
	private static void write(OpenSegment segment, byte[]... commands) throws IOException {
		for (int i = 0; i < commands.length; i++) {
			segment.sink().write(commands[i]);
			String[] lines = new String(commands[i], StandardCharsets.US_ASCII).split("\r\n");
			long arguments = Long.parseLong(lines[0].substring(1));
			segment.commandEnded(CommandKind.of(lines[2], (arguments > 1) ? lines[4] : "", arguments), 1_000 + i);
		}
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			all.writeBytes(part);
		}
		return all.toByteArray();
	}

}
