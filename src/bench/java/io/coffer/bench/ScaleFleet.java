package io.coffer.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

/**
 * What the scale benchmark's databases run on: a few dozen {@code redis-server} processes, each with
 * a small dataset of its own size (several registered databases share one), and a loopback webhook
 * receiver that counts the deliveries it is sent.
 */
final class ScaleFleet implements AutoCloseable {

	static final String REDIS_PASSWORD = "bench-scale";

	private final List<Process> servers = new ArrayList<>();

	private final List<Integer> ports = new ArrayList<>();

	private final HttpServer webhooks;

	/** When each delivery arrived (System.nanoTime). */
	private final ConcurrentLinkedQueue<Long> deliveries = new ConcurrentLinkedQueue<>();

	private ScaleFleet(HttpServer webhooks) {
		this.webhooks = webhooks;
	}

	static ScaleFleet start(Path work, int nodes) throws Exception {
		HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		ScaleFleet fleet = new ScaleFleet(receiver);
		receiver.createContext("/hook", (exchange) -> {
			exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
			fleet.deliveries.add(System.nanoTime());
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		receiver.start();
		try {
			for (int i = 0; i < nodes; i++) {
				fleet.startNode(work.resolve("redis-" + i), i);
			}
		}
		catch (Exception ex) {
			fleet.close();
			throw ex;
		}
		return fleet;
	}

	private void startNode(Path folder, int index) throws Exception {
		Files.createDirectories(folder);
		int port = CofferProcess.freePort();
		Process server = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
				"--requirepass", REDIS_PASSWORD, "--save", "", "--appendonly", "no", "--dir", folder.toString())
			.redirectErrorStream(true)
			.redirectOutput(folder.resolve("redis.log").toFile())
			.start();
		this.servers.add(server);
		this.ports.add(port);
		fill(port, index);
	}

	/** From 25 KB to 800 KB of values, by the node's index: small datasets of varying size. */
	private static void fill(int port, int index) throws Exception {
		Random random = new Random(index);
		int keys = (index % 8 + 1) * 50;
		BenchFiles.fillRedis(port, REDIS_PASSWORD, (pipeline) -> {
			for (int i = 0; i < keys; i++) {
				byte[] value = new byte[512 + random.nextInt(1536)];
				random.nextBytes(value);
				pipeline.set(("key:" + i).getBytes(), value);
			}
		});
	}

	int nodes() {
		return this.ports.size();
	}

	int port(int node) {
		return this.ports.get(node);
	}

	List<Integer> ports() {
		return List.copyOf(this.ports);
	}

	/** The process id of the node's redis-server (to read its CPU time). */
	long pid(int node) {
		return this.servers.get(node).pid();
	}

	String webhookUrl() {
		return "http://127.0.0.1:" + this.webhooks.getAddress().getPort() + "/hook";
	}

	/** Deliveries received at or after {@code sinceNanos} (System.nanoTime). */
	long deliveriesSince(long sinceNanos) {
		return this.deliveries.stream().filter((at) -> at >= sinceNanos).count();
	}

	@Override
	public void close() throws IOException {
		this.webhooks.stop(0);
		for (Process server : this.servers) {
			server.destroy();
		}
		for (Process server : this.servers) {
			try {
				server.waitFor(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
