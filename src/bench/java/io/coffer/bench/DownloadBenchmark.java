package io.coffer.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.coffer.storage.EmbeddedS3Server;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;

/**
 * {@code scripts/bench download}: the same archive fetched (A) by {@code coffer backups-download},
 * through Coffer's decrypting endpoint, and (B) as a plain GET of an object of the same size with the
 * MinIO client, from the same S3 server; then 16 downloads at once, checked, with Coffer's heap and
 * RSS watched. Not a test: the suite never runs it.
 */
public final class DownloadBenchmark {

	private static final double MB = 1024.0 * 1024.0;

	private static final String BUCKET = "coffer-bench";

	private static final String REDIS_PASSWORD = "bench-download";

	private DownloadBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Path jar = Path.of("target/coffer.jar");
		List<String> javaOptions = List.of();
		int sizeMb = 320;
		int parallel = 16;
		Path output = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--jar" -> jar = Path.of(args[++i]);
				case "--coffer-java-opts" -> javaOptions = List.of(args[++i].trim().split("\\s+"));
				case "--size" -> sizeMb = Integer.parseInt(args[++i]);
				case "--parallel" -> parallel = Integer.parseInt(args[++i]);
				case "--output" -> output = Path.of(args[++i]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]
						+ "; options: --size 320 (MB of archive) --parallel 16 --coffer-java-opts '…' --output FILE");
			}
		}
		Path work = Files.createTempDirectory("coffer-bench-download");
		int redisPort = CofferProcess.freePort();
		Process redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
				"--requirepass", REDIS_PASSWORD, "--save", "", "--appendonly", "no", "--dir", work.toString())
			.redirectErrorStream(true)
			.redirectOutput(work.resolve("redis.log").toFile())
			.start();
		try (EmbeddedS3Server s3 = new EmbeddedS3Server(work.resolve("objects"), 0, "bench", "bench-secret").start()) {
			fill(redisPort, sizeMb);
			try (CofferProcess coffer = CofferProcess.start(jar, javaOptions, work.resolve("coffer"), s3, BUCKET,
					Map.of())) {
				String report = run(coffer, s3, work, redisPort, parallel);
				System.out.println(report);
				if (output != null) {
					Files.writeString(output, report);
				}
			}
		}
		finally {
			redis.destroy();
			redis.waitFor(30, TimeUnit.SECONDS);
		}
	}

	private static String run(CofferProcess coffer, EmbeddedS3Server s3, Path work, int redisPort, int parallel)
			throws Exception {
		String database = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases",
				"{\"app\":\"bench\",\"register\":{\"nodes\":[{\"host\":\"127.0.0.1\",\"port\":" + redisPort
						+ "}],\"password\":\"" + REDIS_PASSWORD + "\"}}", 201), "id");
		String backup = BackupBenchmark.field(coffer.call("POST", "/api/v1/databases/" + database + "/backups", "", 202), "id");
		String view;
		do {
			Thread.sleep(200);
			view = coffer.call("GET", "/api/v1/databases/" + database + "/backups/" + backup, null, 200);
		}
		while (!BackupBenchmark.field(view, "status").matches("done|error"));
		if (!"done".equals(BackupBenchmark.field(view, "status"))) {
			throw new IllegalStateException("the backup failed: " + view);
		}
		long size = Long.parseLong(BackupBenchmark.field(view, "size"));
		String archivePath = coffer.base() + "/api/v1/databases/" + database + "/backups/" + backup + "/archive";
		HttpClient http = HttpClient.newHttpClient();
		String etag = http.send(request(archivePath).header("Range", "bytes=0-0").build(),
				HttpResponse.BodyHandlers.discarding()).headers().firstValue("ETag").orElseThrow().replace("\"", "");
		log(String.format(Locale.ROOT, "archive of %.0f MB ready (backup %s)", size / MB, backup));

		// A: the command-line client, as a user runs it
		Path downloaded = work.resolve("a.tar.gz");
		ProcessBuilder cli = new ProcessBuilder("bash", "scripts/coffer", "--app", "bench", "backups-download",
				"--output", downloaded.toString()).redirectErrorStream(true).redirectOutput(work.resolve("cli.log").toFile());
		cli.environment().put("COFFER_URL", coffer.base());
		cli.environment().put("COFFER_TOKEN", CofferProcess.ADMIN_TOKEN);
		cli.start().waitFor(); // builds nothing: warms the unpacked client once
		Files.deleteIfExists(downloaded);
		long started = System.nanoTime();
		int exit = cli.start().waitFor();
		double aSeconds = (System.nanoTime() - started) / 1e9;
		if (exit != 0 || !sha256(downloaded).equals(etag)) {
			throw new IllegalStateException("coffer backups-download failed or differs: " + Files.readString(work.resolve("cli.log")));
		}
		log(String.format(Locale.ROOT, "A: coffer backups-download %.1f s, %.0f MB/s", aSeconds, size / MB / aSeconds));

		// B: a plain GET of an object of the same size from the same S3 server
		Path plain = work.resolve("plain.bin");
		writeRandom(plain, size);
		MinioClient minio = MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), s3.secretKey()).build();
		try {
			minio.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
		}
		catch (Exception ex) {
			// Coffer made it already
		}
		minio.uploadObject(UploadObjectArgs.builder().bucket(BUCKET).object("bench/plain.bin").filename(plain.toString()).build());
		Path fetched = work.resolve("b.bin");
		started = System.nanoTime();
		try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket(BUCKET).object("bench/plain.bin").build());
				OutputStream out = Files.newOutputStream(fetched)) {
			in.transferTo(out);
		}
		double bSeconds = (System.nanoTime() - started) / 1e9;
		log(String.format(Locale.ROOT, "B: MinIO GET %.1f s, %.0f MB/s", bSeconds, size / MB / bSeconds));
		Files.delete(plain);
		Files.delete(fetched);

		// 16 at once, each checked against the archive's SHA-256, Coffer's memory watched
		long rssBefore = coffer.procStatusKb("VmRSS");
		AtomicBoolean sampling = new AtomicBoolean(true);
		AtomicLong maxHeap = new AtomicLong();
		AtomicLong maxRss = new AtomicLong();
		Thread sampler = new Thread(() -> {
			while (sampling.get()) {
				try {
					maxHeap.accumulateAndGet(coffer.heapUsed(), Math::max);
					maxRss.accumulateAndGet(coffer.procStatusKb("VmRSS"), Math::max);
					Thread.sleep(500);
				}
				catch (Exception ex) {
					return;
				}
			}
		});
		sampler.start();
		ExecutorService pool = Executors.newFixedThreadPool(parallel);
		started = System.nanoTime();
		List<Future<String>> digests = new ArrayList<>();
		for (int i = 0; i < parallel; i++) {
			digests.add(pool.submit(() -> {
				HttpResponse<InputStream> response = http.send(request(archivePath).build(),
						HttpResponse.BodyHandlers.ofInputStream());
				try (DigestInputStream in = new DigestInputStream(response.body(), MessageDigest.getInstance("SHA-256"))) {
					in.transferTo(OutputStream.nullOutputStream());
					return HexFormat.of().formatHex(in.getMessageDigest().digest());
				}
			}));
		}
		int correct = 0;
		for (Future<String> digest : digests) {
			correct += digest.get().equals(etag) ? 1 : 0;
		}
		double parallelSeconds = (System.nanoTime() - started) / 1e9;
		pool.shutdown();
		sampling.set(false);
		sampler.join();
		log(String.format(Locale.ROOT, "%d downloads at once: %d correct in %.1f s", parallel, correct, parallelSeconds));

		double ratio = (size / aSeconds) / (size / bSeconds);
		return String.format(Locale.ROOT, """
				| archive MB | A: coffer backups-download s | A MB/s | B: MinIO GET s | B MB/s | A/B throughput |
				|---:|---:|---:|---:|---:|---:|
				| %.0f | %.1f | %.0f | %.1f | %.0f | %.2f |

				%d downloads at once: %d of %d complete and equal to the archive's SHA-256, in %.1f s (%.0f MB/s in all);
				Coffer's heap used peaked at %.0f MB, its RSS went from %.0f to %.0f MB (peak over its life %.0f MB).

				Target A ≥ 0.7 × B's throughput: **%s** (%.2f).
				""", size / MB, aSeconds, size / MB / aSeconds, bSeconds, size / MB / bSeconds, ratio, parallel, correct,
				parallel, parallelSeconds, parallel * size / MB / parallelSeconds, maxHeap.get() / MB, rssBefore / 1024.0,
				maxRss.get() / 1024.0, coffer.procStatusKb("VmHWM") / 1024.0, (ratio >= 0.7) ? "met" : "missed", ratio);
	}

	/** Incompressible values until the dataset holds about {@code sizeMb}: the archive is then that size. */
	private static void fill(int port, int sizeMb) throws Exception {
		Random random = new Random(7);
		BenchFiles.fillRedis(port, REDIS_PASSWORD, (pipeline) -> {
			for (int i = 0; i < sizeMb; i++) {
				byte[] value = new byte[1024 * 1024];
				random.nextBytes(value);
				pipeline.set(("random:" + i).getBytes(), value);
				if (i % 32 == 31) {
					pipeline.sync();
				}
			}
		});
	}

	private static HttpRequest.Builder request(String url) {
		return HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofMinutes(10))
			.header("Authorization", "Bearer " + CofferProcess.ADMIN_TOKEN);
	}

	private static void writeRandom(Path file, long size) throws IOException {
		Random random = new Random(11);
		byte[] chunk = new byte[1024 * 1024];
		try (OutputStream out = Files.newOutputStream(file)) {
			for (long written = 0; written < size; written += chunk.length) {
				random.nextBytes(chunk);
				out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
			}
		}
	}

	private static String sha256(Path file) throws Exception {
		try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
			in.transferTo(OutputStream.nullOutputStream());
			return HexFormat.of().formatHex(in.getMessageDigest().digest());
		}
	}

	private static void log(String message) {
		System.err.println("-----> " + message);
	}

}
