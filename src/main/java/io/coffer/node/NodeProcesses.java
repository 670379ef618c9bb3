package io.coffer.node;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.coffer.catalog.ManagedNode;

/**
 * The processes of this machine that run nodes: telling one that runs a node from one that took its pid
 * since, and stopping it.
 */
final class NodeProcesses {

	static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

	private NodeProcesses() {
	}

	static boolean isOurs(ProcessHandle handle, ManagedNode node) {
		if (!handle.isAlive()) {
			return false;
		}
		// Redis rewrites its command line into its title; HAProxy keeps it. Either way the program name is there.
		String program = ManagedNode.DriverData.HAPROXY.equals(node.kind()) ? "haproxy" : "redis";
		// when its command cannot be read, the driver's remove() still finds the node by asking who serves its port
		return handle.info().commandLine().or(() -> handle.info().command()).map((line) -> line.contains(program))
			.orElse(false);
	}

	static void stop(ProcessHandle process) {
		// SIGTERM first: Redis shuts down in order; SIGKILL if it does not within the timeout
		process.destroy();
		try {
			process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			process.destroyForcibly();
			try {
				process.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (Exception notDead) {
				throw new IllegalStateException("process " + process.pid() + " did not exit after SIGKILL", notDead);
			}
		}
	}

}
