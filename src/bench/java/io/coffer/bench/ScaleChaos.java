package io.coffer.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.coffer.storage.EmbeddedS3Server;

/**
 * What goes wrong in the middle of the window ({@code --chaos}): the last instance killed with
 * {@code kill -9}, or frozen ({@code SIGSTOP}) for longer than the instance timeout then woken; the
 * catalogue's PostgreSQL restarted; the S3 server stopped for a minute; or a restore and 50 downloads
 * run. Remembers when and what, for the checks.
 */
final class ScaleChaos {

	private final ScaleBenchmark.Options options;

	private final List<CofferProcess> cluster;

	private final BenchPostgres postgres;

	private final EmbeddedS3Server s3;

	private final List<String> databases;

	private final String manualBackup;

	private final Instant at;

	volatile Instant happenedAt;

	volatile Instant endedAt;

	/** The victim's backups in flight when it was frozen or killed. */
	final List<String> victimInFlight = new ArrayList<>();

	volatile String victim;

	volatile String outcome = "";

	volatile boolean failed;

	ScaleChaos(ScaleBenchmark.Options options, List<CofferProcess> cluster, BenchPostgres postgres,
			EmbeddedS3Server s3, List<String> databases, String manualBackup, Instant windowStart, Duration window) {
		this.options = options;
		this.cluster = cluster;
		this.postgres = postgres;
		this.s3 = s3;
		this.databases = databases;
		this.manualBackup = manualBackup;
		this.at = windowStart.plus(window.dividedBy(2));
	}

	void run() {
		if ("none".equals(this.options.chaos())) {
			return;
		}
		try {
			long wait = Duration.between(Instant.now(), this.at).toMillis();
			if (wait > 0) {
				Thread.sleep(wait);
			}
			this.happenedAt = Instant.now();
			int last = this.cluster.size() - 1;
			this.victim = "bench-" + (last + 1);
			switch (this.options.chaos()) {
				case "kill" -> {
					awaitVictimInFlight();
					this.cluster.get(last).kill();
					this.outcome = "kill -9 of " + this.victim;
				}
				case "stop" -> {
					awaitVictimInFlight();
					this.cluster.get(last).freeze(true);
					Thread.sleep(this.options.instanceTimeout().plusSeconds(30).toMillis());
					this.cluster.get(last).freeze(false);
					this.outcome = String.format(Locale.ROOT, "SIGSTOP of %s for %d s, then SIGCONT", this.victim,
							this.options.instanceTimeout().plusSeconds(30).toSeconds());
				}
				case "postgres" -> {
					this.victim = null;
					long started = System.nanoTime();
					this.postgres.restart();
					this.outcome = String.format(Locale.ROOT, "PostgreSQL restarted (fast) in %.1f s",
							BenchFiles.seconds(System.nanoTime() - started));
				}
				case "s3" -> {
					this.victim = null;
					this.s3.stop();
					Thread.sleep(60_000);
					this.s3.start();
					this.outcome = "S3 server stopped for 60 s";
				}
				case "load" -> {
					this.victim = null;
					load();
				}
				default -> throw new IllegalStateException(this.options.chaos());
			}
			ScaleBenchmark.log(this.outcome);
		}
		catch (Exception ex) {
			this.failed = true;
			this.outcome = this.options.chaos() + " failed: " + ex;
			ScaleBenchmark.log(this.outcome);
		}
		finally {
			this.endedAt = Instant.now();
		}
	}

	/**
	 * Waits (up to 30 s) until the victim has a backup in flight, so that the kill or the freeze catches one:
	 * a backup of these small datasets takes well under a second, and at a random moment there is often none.
	 */
	private void awaitVictimInFlight() throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		recordVictimInFlight();
		while (this.victimInFlight.isEmpty() && System.nanoTime() < deadline) {
			Thread.sleep(20);
			recordVictimInFlight();
		}
		this.happenedAt = Instant.now();
	}

	private void recordVictimInFlight() throws Exception {
		try (Connection catalogue = this.postgres.connect(ScaleBenchmark.CATALOGUE);
				Statement statement = catalogue.createStatement();
				ResultSet rows = statement.executeQuery("select id from backups where status in ('scheduled', 'running') "
						+ "and instance_id = '" + this.victim + "'")) {
			while (rows.next()) {
				this.victimInFlight.add(rows.getString(1));
			}
		}
	}

	/** A restore in place of the first database and 50 downloads (4 at once) of its manual backup. */
	private void load() throws Exception {
		CofferProcess first = this.cluster.get(0);
		String database = this.databases.get(0);
		long started = System.nanoTime();
		String restore = BackupBenchmark.field(first.call("POST", "/api/v1/databases/" + database + "/restores",
				"{\"backup\":\"" + this.manualBackup + "\",\"target\":\"in_place\"}", 202), "id");
		HttpClient http = HttpClient.newHttpClient();
		ExecutorService pool = Executors.newFixedThreadPool(4);
		List<Future<Long>> downloads = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			CofferProcess instance = this.cluster.get(i % this.cluster.size());
			downloads.add(pool.submit(() -> {
				HttpResponse<byte[]> response = http.send(HttpRequest
					.newBuilder(URI.create(instance.base() + "/api/v1/databases/" + database + "/backups/"
							+ this.manualBackup + "/archive"))
					.timeout(Duration.ofMinutes(2))
					.header("Authorization", "Bearer " + CofferProcess.ADMIN_TOKEN)
					.build(), HttpResponse.BodyHandlers.ofByteArray());
				return (response.statusCode() == 200) ? response.body().length : -1L;
			}));
		}
		int complete = 0;
		long length = -1;
		for (Future<Long> download : downloads) {
			long bytes = download.get();
			if (bytes > 0 && (length < 0 || bytes == length)) {
				length = bytes;
				complete++;
			}
		}
		pool.shutdown();
		double downloadSeconds = BenchFiles.seconds(System.nanoTime() - started);
		first.awaitDone("/api/v1/databases/" + database + "/restores/" + restore);
		double restoreSeconds = BenchFiles.seconds(System.nanoTime() - started);
		this.failed = complete != 50;
		this.outcome = String.format(Locale.ROOT,
				"restore in place done in %.1f s; %d of 50 downloads (%d bytes each) complete in %.1f s", restoreSeconds,
				complete, length, downloadSeconds);
	}

	Instant happenedAt() {
		return this.happenedAt;
	}

}
