package io.coffer.engine;

import java.time.Duration;
import java.util.function.Supplier;

import io.coffer.node.ProcessNodeDriver;

/** How an engine upgrade waits on its nodes: it asks again until they answer as expected, or gives up. */
final class UpgradeWaits {

	private static final Duration POLL = Duration.ofMillis(100);

	private UpgradeWaits() {
	}

	static void await(String what, Duration timeout, Supplier<Boolean> condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.get()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("gave up waiting for " + what + " after " + timeout.toSeconds() + " s");
			}
			ProcessNodeDriver.pause(POLL);
		}
	}

}
