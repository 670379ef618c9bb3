package io.coffer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches the cluster during the window: each instance's CPU time and RSS from /proc every 2 s, and
 * the latency of {@code GET /databases/{db}/backups} (a random database, five times a second, on the
 * first instance alive) as a user of the API sees it meanwhile.
 */
final class ScaleSampler {

	/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in hundredths of a second. */
	private static final double TICKS_PER_SECOND = 100.0;

	private final List<CofferProcess> cluster;

	private final List<String> databases;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final long[] cpuTicksAtStart;

	private final long[] cpuTicksLast;

	private final long[] rssAtStartKb;

	private final long[] rssPeakKb;

	private final long[] rssLastKb;

	private final List<Long> apiMillis = Collections.synchronizedList(new ArrayList<>());

	private final List<Thread> threads = new ArrayList<>();

	private volatile int apiFailures;

	ScaleSampler(List<CofferProcess> cluster, List<String> databases) {
		this.cluster = cluster;
		this.databases = databases;
		int n = cluster.size();
		this.cpuTicksAtStart = new long[n];
		this.cpuTicksLast = new long[n];
		this.rssAtStartKb = new long[n];
		this.rssPeakKb = new long[n];
		this.rssLastKb = new long[n];
		for (int i = 0; i < n; i++) {
			this.cpuTicksAtStart[i] = cpuTicks(cluster.get(i));
			this.cpuTicksLast[i] = this.cpuTicksAtStart[i];
			this.rssAtStartKb[i] = rss(cluster.get(i));
			this.rssPeakKb[i] = this.rssAtStartKb[i];
			this.rssLastKb[i] = this.rssAtStartKb[i];
		}
	}

	ScaleSampler start() {
		this.threads.add(new Thread(this::sampleProcesses, "sample-processes"));
		this.threads.add(new Thread(this::sampleApi, "sample-api"));
		this.threads.forEach(Thread::start);
		return this;
	}

	void stop() throws InterruptedException {
		this.running.set(false);
		for (Thread thread : this.threads) {
			thread.join();
		}
	}

	private void sampleProcesses() {
		while (this.running.get()) {
			for (int i = 0; i < this.cluster.size(); i++) {
				CofferProcess instance = this.cluster.get(i);
				if (instance.isAlive()) {
					long ticks = cpuTicks(instance);
					long rss = rss(instance);
					if (ticks >= 0) {
						this.cpuTicksLast[i] = ticks;
					}
					if (rss > 0) {
						this.rssLastKb[i] = rss;
						this.rssPeakKb[i] = Math.max(this.rssPeakKb[i], rss);
					}
				}
			}
			pause(2000);
		}
	}

	private void sampleApi() {
		Random random = new Random(3);
		while (this.running.get()) {
			CofferProcess instance = this.cluster.stream().filter(CofferProcess::isAlive).findFirst().orElse(null);
			if (instance != null) {
				String database = this.databases.get(random.nextInt(this.databases.size()));
				long started = System.nanoTime();
				try {
					instance.call("GET", "/api/v1/databases/" + database + "/backups", null, 200);
					this.apiMillis.add((System.nanoTime() - started) / 1_000_000);
				}
				catch (Exception ex) {
					this.apiFailures++;
				}
			}
			pause(200);
		}
	}

	/** CPU seconds each instance used in the window (up to its last sample if it died). */
	double cpuSeconds(int instance) {
		return (this.cpuTicksLast[instance] - this.cpuTicksAtStart[instance]) / TICKS_PER_SECOND;
	}

	long rssAtStartKb(int instance) {
		return this.rssAtStartKb[instance];
	}

	long rssPeakKb(int instance) {
		return this.rssPeakKb[instance];
	}

	long rssLastKb(int instance) {
		return this.rssLastKb[instance];
	}

	List<Long> apiMillis() {
		synchronized (this.apiMillis) {
			return new ArrayList<>(this.apiMillis);
		}
	}

	int apiFailures() {
		return this.apiFailures;
	}

	/** utime + stime of /proc/<pid>/stat, in ticks; -1 when the process is gone. */
	private static long cpuTicks(CofferProcess instance) {
		try {
			String stat = Files.readString(Path.of("/proc", String.valueOf(instance.pid()), "stat"));
			// the fields after the command name, which is in parentheses and may hold spaces
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	private static long rss(CofferProcess instance) {
		try {
			return instance.procStatusKb("VmRSS");
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

	private void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running.set(false);
		}
	}

}
