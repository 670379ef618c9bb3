package io.coffer.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.RedisInfo;
import redis.clients.jedis.Jedis;

/**
 * Waits for a target replicating from the listener to have loaded the dump, from disk or diskless
 * ({@code async_loading} while a {@code swapdb} load keeps the old data served), keeping the link alive.
 */
final class LoadWatch {

	private static final Duration POLL = Duration.ofMillis(100);

	private LoadWatch() {
	}

	static void awaitLoaded(RedisConnections redis, RedisEndpoint node, OneShotPrimary listener, OutputStream out,
			Duration loadTimeout) throws IOException {
		long deadline = System.nanoTime() + loadTimeout.toNanos();
		long nextPing = System.nanoTime() + OneShotPrimary.pingPeriod().toNanos();
		int failures = 0;
		while (true) {
			Map<String, String> info;
			try {
				info = infoWhileLoading(redis, node);
				failures = 0;
			}
			catch (RuntimeException ex) {
				// a node busy loading may miss one answer; three in a row mean it is gone
				if (++failures >= 3) {
					throw ex;
				}
				info = Map.of();
			}
			if (String.valueOf(listener.port()).equals(info.get("master_port"))
					&& "up".equals(info.get("master_link_status")) && "0".equals(info.get("master_sync_in_progress"))
					&& "0".equals(info.get("loading")) && "0".equals(info.getOrDefault("async_loading", "0"))) {
				return;
			}
			if (!info.isEmpty() && !String.valueOf(listener.port()).equals(info.get("master_port"))) {
				throw new IOException("the target stopped replicating from Coffer during the load (it now reports role "
						+ info.get("role") + "); was it reconfigured meanwhile?");
			}
			if (System.nanoTime() > deadline) {
				throw new IOException("the target did not finish loading the dump within "
						+ loadTimeout.toSeconds() + " s");
			}
			if (System.nanoTime() > nextPing) {
				listener.ping(out);
				nextPing = System.nanoTime() + OneShotPrimary.pingPeriod().toNanos();
			}
			pause();
		}
	}

	/**
	 * Waits for a target that loaded the dump to have applied everything sent after it: its replication offset
	 * (which counts from 0, the offset the listener announced) reaches {@code sent}, read anew on each poll as the
	 * pings that keep the link alive add to it.
	 */
	static void awaitApplied(RedisConnections redis, RedisEndpoint node, OneShotPrimary listener, OutputStream out,
			LongSupplier sent, Duration timeout) throws IOException {
		long deadline = System.nanoTime() + timeout.toNanos();
		long nextPing = System.nanoTime() + OneShotPrimary.pingPeriod().toNanos();
		while (true) {
			Map<String, String> info = infoWhileLoading(redis, node);
			if (!String.valueOf(listener.port()).equals(info.get("master_port"))
					|| !"up".equals(info.get("master_link_status"))) {
				throw new IOException("the target stopped replicating from Coffer while it applied the commands after"
						+ " the dump (it reports role " + info.get("role") + ", link " + info.get("master_link_status")
						+ ")");
			}
			long applied = Long.parseLong(info.getOrDefault("slave_repl_offset", "-1"));
			if (applied >= sent.getAsLong()) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new IOException("the target applied " + applied + " of the " + sent.getAsLong()
						+ " bytes of commands sent after the dump within " + timeout.toSeconds() + " s");
			}
			if (System.nanoTime() > nextPing) {
				listener.ping(out);
				nextPing = System.nanoTime() + OneShotPrimary.pingPeriod().toNanos();
			}
			pause();
		}
	}

	/**
	 * Waits, up to {@code limit}, for a target to stop loading: one whose diskless load of an empty database
	 * was cut off by a failed restore ends it once it sees the listener's connection closed, and until then
	 * answers {@code LOADING} to the {@code REPLICAOF NO ONE} that gives it its role back. Returns at the limit
	 * without complaint: giving the role back then says what it could not do.
	 */
	static void awaitNotLoading(RedisConnections redis, RedisEndpoint node, Duration limit) {
		long deadline = System.nanoTime() + limit.toNanos();
		while (System.nanoTime() < deadline) {
			try {
				Map<String, String> info = infoWhileLoading(redis, node);
				if ("0".equals(info.getOrDefault("loading", "0"))) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// unreachable: giving the role back will say so
				return;
			}
			pause();
		}
	}

	/**
	 * {@code INFO}, which Redis answers while it loads a dump, on a connection that does not start with
	 * a {@code PING}, which it does not answer then.
	 */
	private static Map<String, String> infoWhileLoading(RedisConnections redis, RedisEndpoint node) {
		try (Jedis jedis = redis.connect(node)) {
			return RedisInfo.fields(jedis.info());
		}
		catch (RuntimeException ex) {
			throw RedisConnections.describe(node, ex);
		}
	}

	private static void pause() {
		try {
			Thread.sleep(POLL.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for the target", ex);
		}
	}

}
