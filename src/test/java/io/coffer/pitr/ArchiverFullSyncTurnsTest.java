package io.coffer.pitr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.coffer.catalog.PitrRepository;
import io.coffer.testsupport.ApiClient;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * More archivers turned on at once than the instance runs full synchronisations at once
 * ({@code coffer.pitr.max-concurrent-full-syncs}, 4), against real redis-servers whose snapshots take seconds: no
 * more than the limit are ever in full synchronisation on the nodes, those that wait say so, and every one ends
 * up archiving.
 */
class ArchiverFullSyncTurnsTest extends IntegrationTest {

	private static final String PASSWORD = "turns-secret";

	private static final int DATABASES = 6;

	@Autowired
	PitrRepository pitr;

	@Autowired
	FullSyncTurns turns;

	private final List<RedisServerProcess> nodes = new ArrayList<>();

	private final List<String> dbs = new ArrayList<>();

	private final List<ApiClient> owners = new ArrayList<>();

	@AfterEach
	void stop() {
		for (int i = 0; i < this.dbs.size(); i++) {
			PitrSwitch.set(this.owners.get(i), this.pitr, this.dbs.get(i), false);
		}
		this.nodes.forEach(RedisServerProcess::close);
	}

	@Test
	void noMoreThanTheLimitSynchroniseAtOnceAndAllEndUpArchiving() {
		int limit = this.turns.limit();
		assertThat(limit).as("the test needs more databases than turns").isLessThan(DATABASES);
		for (int i = 0; i < DATABASES; i++) {
			// 200 keys at 10 ms each: every snapshot for a full synchronisation takes 2 s
			RedisServerProcess node = RedisServerProcess.options().password(PASSWORD)
				.set("rdb-key-save-delay", "10000")
				.start();
			node.populate(200, "key", 16);
			this.nodes.add(node);
			ApiClient.Response created = registerDatabase("pitr-turns-" + i + "-" + System.nanoTime() % 100_000,
					PASSWORD, "stream", node.port());
			this.dbs.add(created.text("id"));
			this.owners.add(withToken(created.text("token")));
		}
		for (int i = 0; i < DATABASES; i++) {
			PitrSwitch.set(this.owners.get(i), this.pitr, this.dbs.get(i), true);
		}

		int mostAtOnce = 0;
		Set<String> sawWaiting = new HashSet<>();
		Set<String> archiving = new HashSet<>();
		long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (archiving.size() < DATABASES && System.nanoTime() < until) {
			int atOnce = 0;
			for (RedisServerProcess node : this.nodes) {
				if (archiverSynchronising(node)) {
					atOnce++;
				}
			}
			mostAtOnce = Math.max(mostAtOnce, atOnce);
			for (int i = 0; i < DATABASES; i++) {
				JsonNode status = this.owners.get(i).get("/api/v1/databases/" + this.dbs.get(i) + "/pitr").json();
				String state = status.path("state").asString("");
				if (state.equals("waiting_for_full_sync")) {
					sawWaiting.add(this.dbs.get(i));
				}
				if (state.equals("archiving")) {
					archiving.add(this.dbs.get(i));
				}
			}
		}
		assertThat(archiving).as("databases archiving").hasSize(DATABASES);
		assertThat(mostAtOnce).as("archivers in full synchronisation at once on the nodes")
			.isPositive()
			.isLessThanOrEqualTo(limit);
		assertThat(sawWaiting).as("databases seen waiting for their turn").isNotEmpty();
		for (String db : this.dbs) {
			assertThat(this.pitr.find(db).orElseThrow().owner()).as("the lease of " + db).isNotNull();
		}
	}

	/** Whether the node is making or sending a snapshot for the archiver (listed under its own name). */
	private static boolean archiverSynchronising(RedisServerProcess node) {
		return node.info("replication").entrySet().stream()
			.anyMatch((field) -> field.getKey().startsWith("slave") && field.getValue().contains("coffer-pitr.invalid")
					&& (field.getValue().contains("state=wait_bgsave") || field.getValue().contains("state=send_bulk")));
	}

}
