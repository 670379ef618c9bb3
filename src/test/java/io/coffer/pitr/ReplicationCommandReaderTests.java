package io.coffer.pitr;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.coffer.redis.RespRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/** Command boundaries in a replication stream: every byte copied, each command's length and kind. */
class ReplicationCommandReaderTests {

	@Test
	void commandsAreCutAtTheirBoundariesWhateverTheValuesHold() throws IOException {
		String tricky = "*3\r\n$3\r\nSET\r\n";
		byte[] big = new byte[200_000];
		java.util.Arrays.fill(big, (byte) '*');
		ByteArrayOutputStream stream = new ByteArrayOutputStream();
		byte[][] commands = { RespRequest.of("MULTI"), RespRequest.of("SET", "k", tricky),
				RespRequest.of("SET", "big", new String(big, StandardCharsets.US_ASCII)), RespRequest.of("EXEC"),
				RespRequest.of("REPLCONF", "GETACK", "*"), RespRequest.of("PING") };
		for (byte[] command : commands) {
			stream.writeBytes(command);
		}
		ReplicationCommandReader reader = new ReplicationCommandReader(new ByteArrayInputStream(stream.toByteArray()));
		ByteArrayOutputStream copied = new ByteArrayOutputStream();

		ReplicationCommandReader.Kind[] kinds = { ReplicationCommandReader.Kind.MULTI,
				ReplicationCommandReader.Kind.OTHER, ReplicationCommandReader.Kind.OTHER,
				ReplicationCommandReader.Kind.EXEC, ReplicationCommandReader.Kind.GETACK,
				ReplicationCommandReader.Kind.OTHER };
		for (int i = 0; i < commands.length; i++) {
			ReplicationCommandReader.Command command = reader.next(copied);
			assertThat(command.length()).as("command %d", i).isEqualTo(commands[i].length);
			assertThat(command.kind()).as("command %d", i).isEqualTo(kinds[i]);
		}
		assertThat(reader.next(copied)).as("the end, between commands").isNull();
		assertThat(copied.toByteArray()).isEqualTo(stream.toByteArray());
	}

	@Test
	void aStreamCutInsideACommandOrMalformedIsAnError() {
		byte[] whole = RespRequest.of("SET", "k", "v");
		byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 3);
		assertThatIOException()
			.isThrownBy(() -> new ReplicationCommandReader(new ByteArrayInputStream(cut)).next(new ByteArrayOutputStream()))
			.withMessage("the replication stream ended inside a command");
		assertThatIOException()
			.isThrownBy(() -> new ReplicationCommandReader(new ByteArrayInputStream("+OK\r\n".getBytes(StandardCharsets.US_ASCII)))
				.next(new ByteArrayOutputStream()))
			.withMessage("the replication stream holds '+' where a command starts");
		assertThatIOException()
			.isThrownBy(() -> new ReplicationCommandReader(new ByteArrayInputStream("*x\r\n".getBytes(StandardCharsets.US_ASCII)))
				.next(new ByteArrayOutputStream()))
			.withMessage("the replication stream holds \"x\" where the argument count belongs");
	}

}
