package io.coffer.provision;

import java.time.Duration;

import io.coffer.backup.BackupLauncher;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.testsupport.FreePorts;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.testsupport.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What {@code scripts/run} does with REDIS_URL: register it as {@code local} and back it up. */
@ExtendWith(OutputCaptureExtension.class)
class LocalRedisBootstrapTest extends IntegrationTest {

	@Autowired
	DatabaseRepository databases;

	@Autowired
	BackupRepository backups;

	@Autowired
	DatabaseRegistration registration;

	@Autowired
	BackupLauncher launcher;

	@Test
	void aRedisThatCannotBeUsedIsReportedInOneLineAndTheRightOneIsRegisteredAndBackedUp(CapturedOutput output) {
		try (RedisServerProcess redis = RedisServerProcess.startWithPassword("p@ss:word")) {
			int nobodyListens = FreePorts.next();
			bootstrap("redis://127.0.0.1:" + nobodyListens).registerAndBackUp();
			bootstrap("redis://:not-it@127.0.0.1:" + redis.port()).registerAndBackUp();

			assertThat(output.getOut()).contains("Cannot back up the Redis at REDIS_URL (redis://127.0.0.1:"
					+ nobodyListens + "): cannot reach Redis at 127.0.0.1:" + nobodyListens)
				.contains("Cannot back up the Redis at REDIS_URL (redis://127.0.0.1:" + redis.port() + "): ")
				.doesNotContain("not-it");
			assertThat(this.databases.findLive(LocalRedisBootstrap.DATABASE_ID)).isEmpty();

			bootstrap("redis://default:p%40ss%3Aword@127.0.0.1:" + redis.port()).registerAndBackUp();

			assertThat(this.databases.findLive(LocalRedisBootstrap.DATABASE_ID)).isPresent();
			await().atMost(Duration.ofSeconds(60))
				.until(() -> this.backups.findAll(LocalRedisBootstrap.DATABASE_ID)
					.stream()
					.anyMatch((backup) -> backup.status() == RunStatus.DONE));
		}
	}

	private LocalRedisBootstrap bootstrap(String url) {
		return new LocalRedisBootstrap(new BootstrapProperties(url), this.databases, this.registration, this.launcher);
	}

}
