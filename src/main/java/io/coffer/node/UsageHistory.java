package io.coffer.node;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.coffer.node.DatabaseStats.Sample;

import org.springframework.stereotype.Component;

/**
 * The samples of the last {@code coffer.stats.window} per node, in this instance's memory: what the
 * Overview's chart draws, and where CPU usage now and the highest swap come from (neither is a figure the
 * node keeps). A node that restarted (another {@code run_id}) starts a new series.
 */
@Component
class UsageHistory {

	private final Map<String, Series> nodes = new ConcurrentHashMap<>();

	private final Duration window;

	UsageHistory(StatsProperties settings) {
		this.window = settings.window();
	}

	/**
	 * @param samples oldest first
	 * @param swapHighest the highest swap sampled since the node started, {@code null} when not known
	 */
	record Window(List<Sample> samples, Long swapHighest) {

		Optional<Sample> latest() {
			return this.samples.isEmpty() ? Optional.empty() : Optional.of(this.samples.get(this.samples.size() - 1));
		}

	}

	/** Adds what was read now from the node at {@code address}; samples older than the window are dropped. */
	void record(String address, String runId, Instant at, double cpuSeconds, long memory, Long swap) {
		this.nodes.compute(address, (key, series) -> {
			Series current = (series != null && Objects.equals(series.runId, runId)) ? series : new Series(runId);
			current.add(at, cpuSeconds, memory, swap, at.minus(this.window));
			return current;
		});
	}

	/** The samples of the node's current run. */
	Window of(String address, String runId) {
		Series series = this.nodes.get(address);
		if (series == null || !Objects.equals(series.runId, runId)) {
			return new Window(List.of(), null);
		}
		synchronized (series) {
			return new Window(List.copyOf(series.samples), series.swapHighest);
		}
	}

	/** Forgets the nodes not sampled within the window: deleted databases, nodes moved elsewhere. */
	void forgetOlderThan(Instant oldest) {
		this.nodes.values().removeIf((series) -> series.lastAt == null || series.lastAt.isBefore(oldest));
	}

	private static final class Series {

		private final String runId;

		private final Deque<Sample> samples = new ArrayDeque<>();

		private volatile Instant lastAt;

		private double lastCpuSeconds;

		private Long swapHighest;

		Series(String runId) {
			this.runId = runId;
		}

		synchronized void add(Instant at, double cpuSeconds, long memory, Long swap, Instant oldest) {
			Double cpu = null;
			if (this.lastAt != null && at.isAfter(this.lastAt) && cpuSeconds >= this.lastCpuSeconds) {
				double elapsed = Duration.between(this.lastAt, at).toNanos() / 1e9;
				cpu = 100 * (cpuSeconds - this.lastCpuSeconds) / elapsed;
			}
			this.samples.addLast(new Sample(at, cpu, memory, swap));
			while (this.samples.peekFirst().at().isBefore(oldest)) {
				this.samples.removeFirst();
			}
			this.lastAt = at;
			this.lastCpuSeconds = cpuSeconds;
			if (swap != null) {
				this.swapHighest = (this.swapHighest == null) ? swap : Math.max(this.swapHighest, swap);
			}
		}

	}

}
