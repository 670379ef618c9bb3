package io.coffer.restore;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ServerSocketFactory;

import io.coffer.testsupport.RdbFiles;
import io.coffer.testsupport.RedisDataset;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restore listener serves its dump to the target alone: a real {@code redis-server} given the
 * listener's secret syncs while connections that do not authenticate with it, or come from elsewhere,
 * get an error and not a byte of the dump, and one that sends nothing does not hold the target up.
 */
class OneShotPrimaryTest {

	private static final String NO_AUTH = "-NOAUTH Authentication required.\r\n";

	private static final String WRONG_PASSWORD = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

	@Test
	void onlyTheTargetWithTheSecretIsServedAndIntrudersDoNotUseUpTheSync(@TempDir Path dir) throws Exception {
		try (RedisServerProcess source = RedisServerProcess.start(); RedisServerProcess target = RedisServerProcess.start()) {
			try (Jedis jedis = source.jedis()) {
				RedisDataset.write(jedis);
			}
			byte[] dump = Files.readAllBytes(RdbFiles.redisCliRdb(source, dir.resolve("dump.rdb")));
			try (OneShotPrimary listener = new OneShotPrimary(ServerSocketFactory.getDefault(), "127.0.0.1", 0,
					OneShotPrimary.addressesOf(target.host()))) {
				InetSocketAddress address = new InetSocketAddress("127.0.0.1", listener.port());
				// all of them connect before the target is even told where the listener is
				try (Intruder silent = Intruder.knock(address, List.of());
						Intruder noPassword = Intruder.knock(address, List.of(List.of("PING"), Intruder.psync()));
						Intruder guessed = Intruder.knock(address,
								List.of(List.of("AUTH", OneShotPrimary.MASTER_USER, "guessed"), Intruder.psync()));
						Intruder passwordOnly = Intruder.knock(address,
								List.of(List.of("AUTH", listener.secret().substring(1)), Intruder.psync()));
						Intruder withoutAuth = Intruder.knock(address,
								List.of(List.of("REPLCONF", "capa", "psync2"), Intruder.psync()));
						Intruder oldProtocol = Intruder.knock(address, List.of(List.of("SYNC")))) {
					try (Jedis jedis = target.jedis()) {
						jedis.configSet("masteruser", OneShotPrimary.MASTER_USER);
						jedis.configSet("masterauth", listener.secret());
						jedis.replicaof("127.0.0.1", listener.port());
					}

					OutputStream out = listener.awaitSync(dump.length, Duration.ofSeconds(30));
					out.write(dump);
					out.flush();
					await().atMost(Duration.ofSeconds(30)).until(() -> {
						Map<String, String> replication = target.info("replication");
						return "up".equals(replication.get("master_link_status"))
								&& "0".equals(replication.get("master_sync_in_progress"));
					});
					try (Jedis jedis = target.jedis()) {
						jedis.replicaofNoOne();
					}
					assertThat(target.digest()).isEqualTo(source.digest());
					assertThat(silent.stillConnected()).as("a connection that sends nothing did not hold the target up")
						.isTrue();

					assertThat(noPassword.received()).isEqualTo("+PONG\r\n" + NO_AUTH);
					assertThat(guessed.received()).isEqualTo(WRONG_PASSWORD);
					assertThat(passwordOnly.received()).isEqualTo(WRONG_PASSWORD);
					assertThat(withoutAuth.received()).isEqualTo(NO_AUTH);
					assertThat(oldProtocol.received()).isEqualTo(NO_AUTH);
					listener.close();
					assertThat(silent.received()).isEmpty();
				}
			}
		}
	}

	@Test
	void theSecretIsRefusedFromAnotherAddressThanTheTargets() throws Exception {
		// a target elsewhere (TEST-NET-1): this host's loopback is not one of its addresses
		try (OneShotPrimary listener = new OneShotPrimary(ServerSocketFactory.getDefault(), "127.0.0.1", 0,
				OneShotPrimary.addressesOf("192.0.2.10"))) {
			InetSocketAddress address = new InetSocketAddress("127.0.0.1", listener.port());
			try (Intruder withTheSecret = Intruder.knock(address,
					List.of(List.of("AUTH", OneShotPrimary.MASTER_USER, listener.secret()), Intruder.psync()))) {
				Thread accepting = new Thread(() -> {
					try {
						listener.awaitSync(100, Duration.ofSeconds(30));
					}
					catch (Exception ex) {
						// closed at the end of the test
					}
				});
				accepting.setDaemon(true);
				accepting.start();
				assertThat(withTheSecret.received())
					.isEqualTo("-ERR Coffer's restore listener serves only the restore's target\r\n");
			}
		}
	}

	@Test
	void aLoopbackTargetMayConnectFromAnyLoopbackAddressAndOnlyFromThere() throws Exception {
		assertThat(OneShotPrimary.addressesOf("localhost").test(InetAddress.getByName("127.0.0.1"))).isTrue();
		assertThat(OneShotPrimary.addressesOf("127.0.0.1").test(InetAddress.getByName("127.0.0.2"))).isTrue();
		assertThat(OneShotPrimary.addressesOf("127.0.0.1").test(InetAddress.getByName("192.0.2.10"))).isFalse();
		assertThat(OneShotPrimary.addressesOf("192.0.2.10").test(InetAddress.getByName("192.0.2.10"))).isTrue();
		assertThat(OneShotPrimary.addressesOf("192.0.2.10").test(InetAddress.getByName("192.0.2.11"))).isFalse();
	}

}
