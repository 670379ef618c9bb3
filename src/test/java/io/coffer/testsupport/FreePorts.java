package io.coffer.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out TCP ports on 127.0.0.1 for test servers.
 * <p>
 * Ports come from a range below Linux' ephemeral range (so outgoing connections do not
 * take them), starting at a random offset per JVM so that concurrent builds rarely meet,
 * are never handed out twice in one JVM, and are bind-tested right before being returned.
 */
public final class FreePorts {

	private static final int FIRST = 20_000;

	private static final int LAST = 32_000;

	private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

	private static final AtomicInteger next = new AtomicInteger(
			FIRST + ThreadLocalRandom.current().nextInt(LAST - FIRST));

	private FreePorts() {
	}

	public static int next() {
		for (int attempt = 0; attempt < LAST - FIRST; attempt++) {
			int port = next.getAndUpdate((current) -> (current >= LAST) ? FIRST : current + 1);
			if (handedOut.add(port)) {
				if (isFree(port)) {
					return port;
				}
			}
		}
		throw new IllegalStateException("no free TCP port left between " + FIRST + " and " + LAST);
	}

	static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(false);
			socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
