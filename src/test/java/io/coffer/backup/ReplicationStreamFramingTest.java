package io.coffer.backup;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The framing corner a real server produces only by chance: the diskless end mark split
 * across two reads. A scripted peer sends the mark in two halves, the second only once the
 * client has consumed everything it could. The peer does not know {@code PSYNC}, so the client falls back to
 * {@code SYNC}.
 */
class ReplicationStreamFramingTest {

	private static final String MARK = "0123456789abcdef0123456789abcdef01234567";

	@Test
	void endMarkSplitAcrossReadsIsRecognisedAndNotReturned() throws Exception {
		byte[] payload = new byte[100];
		Arrays.fill(payload, (byte) 'x');
		CountDownLatch clientConsumedWhatItCould = new CountDownLatch(1);

		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
				try (Socket socket = server.accept()) {
					BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
					OutputStream out = socket.getOutputStream();
					answerHandshake(in, out);
					out.write("\n\n$EOF:".concat(MARK).concat("\r\n").getBytes(StandardCharsets.US_ASCII));
					out.write(payload);
					out.write(MARK.substring(0, 20).getBytes(StandardCharsets.US_ASCII));
					out.flush();
					clientConsumedWhatItCould.await(10, TimeUnit.SECONDS);
					out.write(MARK.substring(20).getBytes(StandardCharsets.US_ASCII));
					out.flush();
					socket.getInputStream().read(); // until the client closes
				}
				catch (IOException | InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			});
			ReplicationStreamSnapshot snapshots = new ReplicationStreamSnapshot(new RedisConnections(),
					ReplicationStreamSnapshot.DEFAULT_READ_TIMEOUT, true);

			try (Snapshot snapshot = snapshots.open(new RedisEndpoint("127.0.0.1", server.getLocalPort()))) {
				InputStream stream = snapshot.stream();
				// 100 payload bytes + 20 mark bytes arrived; the last 40 may be the mark, so 80 are released
				byte[] first = stream.readNBytes(80);
				clientConsumedWhatItCould.countDown();
				byte[] rest = stream.readAllBytes();

				assertThat(snapshot.expectedLength()).isEqualTo(-1);
				assertThat(snapshot.replicationPosition()).as("SYNC announces no position").isNull();
				assertThat(first.length + rest.length).isEqualTo(payload.length);
				assertThat(rest).containsOnly((byte) 'x');
			}
			peer.get(10, TimeUnit.SECONDS);
		}
	}

	private static void answerHandshake(BufferedReader in, OutputStream out) throws IOException {
		while (true) {
			String line = in.readLine();
			if (line.equals("SYNC")) {
				return;
			}
			if (line.startsWith("*")) {
				String[] words = new String[Integer.parseInt(line.substring(1))];
				for (int i = 0; i < words.length; i++) {
					in.readLine();
					words[i] = in.readLine();
				}
				// like a server older than 7, rdb-only is unknown; like a proxy that only passes SYNC, PSYNC is
				String reply = words[0].equals("PSYNC")
						? "-ERR unknown command 'PSYNC', with args beginning with: '?' '-1'\r\n"
						: words[1].equals("rdb-only") ? "-ERR Unrecognized REPLCONF option\r\n" : "+OK\r\n";
				out.write(reply.getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
		}
	}

}
