package io.coffer.backup;

import io.coffer.catalog.ReplicationPosition;
import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.coffer.testsupport.FreePorts;
import io.coffer.testsupport.RdbFiles;
import io.coffer.testsupport.RedisExtension;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

class ReplicationStreamSnapshotTest {

	private static final String PASSWORD = "s3cret";

	@RegisterExtension
	static RedisExtension diskBased = RedisExtension.standalone().password(PASSWORD).set("repl-diskless-sync", "no");

	@RegisterExtension
	static RedisExtension diskless = RedisExtension.standalone().password(PASSWORD)
		.set("repl-diskless-sync", "yes")
		.set("repl-diskless-sync-delay", "0");

	private final ReplicationStreamSnapshot snapshots = new ReplicationStreamSnapshot(new RedisConnections());

	private final ReplicationStreamSnapshot disklessSnapshots = new ReplicationStreamSnapshot(new RedisConnections(),
			ReplicationStreamSnapshot.DEFAULT_READ_TIMEOUT, true);

	@BeforeAll
	static void fillBothServers() {
		for (RedisServerProcess server : new RedisServerProcess[] { diskBased.server(), diskless.server() }) {
			server.populate(20_000, "key", 64);
			try (Jedis jedis = server.jedis()) {
				jedis.hset("profile:1", Map.of("name", "Ada", "lang", "fr"));
				jedis.rpush("queue", "a", "b", "c");
				jedis.set("binary".getBytes(StandardCharsets.UTF_8), new byte[] { 0, (byte) 0xff, '\r', '\n', '$' });
				jedis.select(3);
				jedis.set("in-db-3", "yes");
			}
		}
	}

	private static RedisServerProcess server(String transfer) {
		return transfer.equals("diskless") ? diskless.server() : diskBased.server();
	}

	private ReplicationStreamSnapshot snapshots(String transfer) {
		return transfer.equals("diskless") ? this.disklessSnapshots : this.snapshots;
	}

	@Test
	void withoutAnnouncingDisklessCapabilityEvenADisklessNodeAnnouncesTheLength() throws IOException {
		RedisServerProcess server = diskless.server();

		try (Snapshot snapshot = this.snapshots.open(server.endpoint())) {
			byte[] rdb = snapshot.stream().readAllBytes();

			assertThat(snapshot.expectedLength()).isEqualTo(rdb.length);
			assertThat(RdbFiles.digestOf(rdb)).isEqualTo(server.digest());
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "disk", "diskless" })
	void streamHoldsExactlyTheDatasetOfTheNode(String transfer) throws IOException {
		RedisServerProcess server = server(transfer);

		byte[] rdb;
		long expectedLength;
		try (Snapshot snapshot = snapshots(transfer).open(server.endpoint())) {
			rdb = snapshot.stream().readAllBytes();
			expectedLength = snapshot.expectedLength();
			assertThat(snapshot.nodeDescription()).isEqualTo(server.address() + " (replication stream)");
		}

		assertThat(new String(rdb, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("REDIS");
		assertThat(expectedLength).isEqualTo(transfer.equals("diskless") ? -1 : rdb.length);
		assertThat(RdbFiles.digestOf(rdb)).isEqualTo(server.digest());
	}

	@ParameterizedTest
	@ValueSource(strings = { "disk", "diskless" })
	void streamLoadsLikeTheOutputOfRedisCli(String transfer, @TempDir Path temp) throws Exception {
		RedisServerProcess server = server(transfer);
		Path reference = RdbFiles.redisCliRdb(server, temp.resolve("redis-cli.rdb"));

		byte[] rdb;
		try (Snapshot snapshot = snapshots(transfer).open(server.endpoint())) {
			rdb = snapshot.stream().readAllBytes();
		}

		assertThat(RdbFiles.digestOf(rdb)).isEqualTo(RdbFiles.digestOf(reference));
	}

	@ParameterizedTest
	@ValueSource(strings = { "redis-server", "valkey-server" })
	void theNodeContinuesItsCommandStreamRightAfterTheAnnouncedPosition(String program) throws IOException {
		try (RedisServerProcess server = RedisServerProcess.options().server(program).start()) {
			server.populate(1_000, "key", 16);

			ReplicationPosition first = positionOfASnapshot(server);
			try (Jedis jedis = server.jedis()) {
				jedis.set("written-after-the-first", "x");
			}
			ReplicationPosition second = positionOfASnapshot(server);

			assertThat(first.replid()).matches("[0-9a-f]{40}").isEqualTo(second.replid())
				.isEqualTo(server.info("replication").get("master_replid"));
			assertThat(second.offset()).as("the write moved the stream on").isGreaterThan(first.offset());
			assertThat(second.offset()).isLessThanOrEqualTo(
					Long.parseLong(server.info("replication").get("master_repl_offset")));
			assertThat(continueFrom(server, first)).as("PSYNC from the first position").startsWith("+CONTINUE");
		}
	}

	private ReplicationPosition positionOfASnapshot(RedisServerProcess server) throws IOException {
		try (Snapshot snapshot = this.snapshots.open(server.endpoint())) {
			assertThat(new String(snapshot.stream().readAllBytes(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("REDIS");
			return snapshot.replicationPosition();
		}
	}

	/** What the node answers a replica that asks for the stream right after {@code position}. */
	private static String continueFrom(RedisServerProcess server, ReplicationPosition position) throws IOException {
		try (Socket socket = new Socket(server.host(), server.port())) {
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(("PSYNC " + position.replid() + " " + (position.offset() + 1) + "\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			StringBuilder line = new StringBuilder();
			for (int next = socket.getInputStream().read(); next != '\n' && next != -1; next = socket.getInputStream().read()) {
				if (next != '\r') {
					line.append((char) next);
				}
			}
			return line.toString();
		}
	}

	@Test
	void wrongPasswordIsNamedAsSuch() {
		RedisServerProcess server = diskBased.server();

		assertThatExceptionOfType(RedisAccessException.class)
			.isThrownBy(() -> this.snapshots.open(server.endpoint().withPassword("wrong")))
			.withMessage("Redis at " + server.address() + ": wrong password")
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.AUTH_FAILED));
	}

	@Test
	void missingPasswordIsNamedAsSuch() {
		RedisServerProcess server = diskBased.server();

		assertThatExceptionOfType(RedisAccessException.class)
			.isThrownBy(() -> this.snapshots.open(server.endpoint().withPassword(null)))
			.withMessage("Redis at " + server.address() + ": it requires a password and none is configured")
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.AUTH_FAILED));
	}

	@Test
	void nodeNotListeningIsUnreachable() {
		int closedPort = FreePorts.next();

		assertThatExceptionOfType(RedisAccessException.class)
			.isThrownBy(() -> this.snapshots.open(new RedisEndpoint("127.0.0.1", closedPort, PASSWORD)))
			.withMessage("cannot reach Redis at 127.0.0.1:" + closedPort + ": connection refused")
			.satisfies((ex) -> assertThat(ex.code()).isEqualTo(RedisAccessException.UNREACHABLE));
	}

	@Test
	void closingEarlyEndsTheTransferOnTheNode() throws IOException {
		RedisServerProcess server = diskBased.server();
		Snapshot snapshot = this.snapshots.open(server.endpoint());
		InputStream stream = snapshot.stream();
		assertThat(stream.readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("REDIS");

		snapshot.close();

		assertThatIOException().isThrownBy(stream::read);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> server.info("replication").get("connected_slaves"), "0"::equals);
	}

}
