package io.coffer.schedule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.coffer.housekeeping.RecoverInterruptedWorkTask;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.CuttableTcpProxy;
import io.coffer.testsupport.RedisServerProcess;
import io.coffer.testsupport.ServiceTest;
import io.coffer.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The catalogue's PostgreSQL goes away under a running periodic backup, as in a restart: every connection
 * drops and new ones are refused for a while. Once it is back, the instance's connections come back, the
 * backup it could not record the end of does not stay {@code running} for ever, and the periodic backup runs
 * again and is done, once. This class reaches its own catalogue through a proxy it cuts.
 */
class CatalogueRestartTest extends ServiceTest {

	private static final TestDatabase catalogue = CofferTestServices.get().database().sibling();

	private static final CuttableTcpProxy link;

	private static final RedisServerProcess redis = RedisServerProcess.start();

	@Autowired
	Scheduler scheduler;

	@Autowired
	RecoverInterruptedWorkTask recovery;

	static {
		try {
			String address = catalogue.jdbcUrl().substring("jdbc:postgresql://".length());
			String hostPort = address.substring(0, address.indexOf('/'));
			link = new CuttableTcpProxy(hostPort.substring(0, hostPort.indexOf(':')),
					Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@DynamicPropertySource
	static void ownCatalogue(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
		String name = catalogue.jdbcUrl().substring(catalogue.jdbcUrl().lastIndexOf('/') + 1);
		registry.add("coffer.database.url", () -> "jdbc:postgresql://127.0.0.1:" + link.port() + "/" + name);
		registry.add("coffer.database.username", catalogue::username);
		// a statement fails within a second while PostgreSQL is away, rather than wait 30 s for it
		registry.add("coffer.database.connection-timeout", () -> "1s");
		PeriodicFiring.retrySoon(registry);
	}

	@AfterAll
	static void stopAll() throws IOException {
		redis.close();
		link.close();
	}

	@Test
	void aBackupRunningWhileTheCatalogueRestartsIsNotLeftRunningAndIsRunAgain() throws Exception {
		Random random = new Random(3);
		try (Jedis jedis = redis.jedis()) {
			Pipeline pipeline = jedis.pipelined();
			for (int i = 0; i < 48; i++) {
				byte[] value = new byte[1024 * 1024];
				random.nextBytes(value);
				pipeline.set(("random:" + i).getBytes(), value);
			}
			pipeline.sync();
		}
		// read past the proxy: the test sees the catalogue while the instance does not
		JdbcClient direct = JdbcClient.create(new DriverManagerDataSource(catalogue.jdbcUrl(), catalogue.username(), ""));
		String db = registerDatabase("catalogue-restart", "", "stream", redis.port()).text("id");
		PeriodicFiring.fireNow(this.scheduler, this.recovery, db);
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> !direct.sql("""
					select id from backups where database_id = ? and status = 'running' and bytes_processed > 0""")
				.param(db)
				.query(String.class)
				.list()
				.isEmpty());

		link.cutAfterUpstreamBytes(0);
		long refusedBefore = link.refusedConnections();
		// down until the instance has tried to reconnect a few times, and found no catalogue
		await().atMost(Duration.ofSeconds(60)).until(() -> link.refusedConnections() >= refusedBefore + 5);
		link.heal();

		await().atMost(Duration.ofSeconds(120))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> rows(direct, db).stream().anyMatch((row) -> row.get("status").equals("done"))
					&& rows(direct, db).stream().noneMatch((row) -> isInFlight(row)));
		List<Map<String, Object>> rows = rows(direct, db);
		assertThat(rows).filteredOn((row) -> row.get("status").equals("done")).hasSize(1);
		assertThat(rows.get(0).get("status")).as("the backup cut off from its catalogue").isEqualTo("error");
		assertThat(operator().get("/api/v1/databases/" + db + "/backups").status()).isEqualTo(200);
	}

	private static boolean isInFlight(Map<String, Object> row) {
		return row.get("status").equals("scheduled") || row.get("status").equals("running");
	}

	private static List<Map<String, Object>> rows(JdbcClient jdbc, String db) {
		return jdbc.sql("select id, status, error, attempt from backups where database_id = ? order by created_at, id")
			.param(db)
			.query()
			.listOfRows();
	}

}
