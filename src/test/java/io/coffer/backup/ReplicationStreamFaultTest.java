package io.coffer.backup;

import io.coffer.redis.RedisConnections;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

import io.coffer.testsupport.RedisExtension;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** A node that dies or stalls while it sends its RDB; each test gets its own node. */
class ReplicationStreamFaultTest {

	/** Large enough that the RDB (about 30 MB) cannot sit whole in socket and pipe buffers. */
	private static final int KEYS = 250_000;

	@RegisterExtension
	RedisExtension redis = RedisExtension.standalone().password("pw")
		.set("repl-diskless-sync", "yes")
		.set("repl-diskless-sync-delay", "0");

	@BeforeEach
	void fill() {
		this.redis.server().populate(KEYS, "key", 100);
	}

	@Test
	void nodeKilledMidTransferGivesAnErrorNamingTheNode() throws IOException {
		RedisServerProcess server = this.redis.server();
		ReplicationStreamSnapshot snapshots = new ReplicationStreamSnapshot(new RedisConnections());

		try (Snapshot snapshot = snapshots.open(server.endpoint())) {
			InputStream stream = snapshot.stream();
			assertThat(stream.readNBytes(1024 * 1024)).hasSize(1024 * 1024);

			server.kill();

			assertThatExceptionOfType(IOException.class).isThrownBy(() -> drain(stream))
				.withMessageMatching("Redis at " + server.address() + " closed the replication stream after \\d+ of \\d+ bytes");
		}
	}

	@Test
	void stalledNodeGivesATimeoutNamingTheNode() throws IOException {
		RedisServerProcess server = this.redis.server();
		// diskless, so that the node streams at once instead of writing its dump first (which may take
		// longer than this short timeout on a busy machine)
		ReplicationStreamSnapshot snapshots = new ReplicationStreamSnapshot(new RedisConnections(),
				Duration.ofMillis(500), true);

		try (Snapshot snapshot = snapshots.open(server.endpoint())) {
			InputStream stream = snapshot.stream();
			assertThat(stream.readNBytes(1024 * 1024)).hasSize(1024 * 1024);

			server.freeze();
			try {
				assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> drain(stream))
					.withMessageMatching("Redis at " + server.address()
							+ " sent nothing for 0.5 s after \\d+ bytes of the RDB");
			}
			finally {
				server.thaw();
			}
		}
	}

	private static void drain(InputStream stream) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		while (stream.read(buffer) != -1) {
			// the bytes do not matter, only how the stream ends
		}
	}

}
