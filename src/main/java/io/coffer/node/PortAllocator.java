package io.coffer.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Hands out the process driver's ports: within the configured range, never one a node of the
 * catalogue holds, never one handed out by this instance and not yet released, and only after a bind
 * test shows nothing else listens on it.
 */
final class PortAllocator {

	private final String host;

	private final int first;

	private final int last;

	private final Supplier<Set<Integer>> catalogued;

	private final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

	PortAllocator(String host, int first, int last, Supplier<Set<Integer>> catalogued) {
		if (first > last) {
			throw new IllegalArgumentException("the first port " + first + " comes after the last one " + last);
		}
		this.host = host;
		this.first = first;
		this.last = last;
		this.catalogued = catalogued;
	}

	int allocate() {
		Set<Integer> taken = this.catalogued.get();
		int size = this.last - this.first + 1;
		// a random start keeps two instances (or two test runs) sharing a range from racing for one port
		int start = ThreadLocalRandom.current().nextInt(size);
		for (int i = 0; i < size; i++) {
			int port = this.first + (start + i) % size;
			if (!taken.contains(port) && this.handedOut.add(port)) {
				if (isFree(port)) {
					return port;
				}
				this.handedOut.remove(port);
			}
		}
		throw new IllegalStateException("no free port is left between " + this.first + " and " + this.last
				+ " on " + this.host + "; widen coffer.provisioning.first-port/last-port");
	}

	void release(int port) {
		this.handedOut.remove(port);
	}

	boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(false);
			socket.bind(new InetSocketAddress(this.host, port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
