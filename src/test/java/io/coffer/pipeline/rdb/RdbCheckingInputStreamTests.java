package io.coffer.pipeline.rdb;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Checks dumps produced by a real Redis, started on a free port for this class only.
 */
class RdbCheckingInputStreamTests {

	private static final int MAX_VERSION = 99;

	@TempDir
	static Path dir;

	private static Process redis;

	private static int port;

	private static byte[] dump;

	@BeforeAll
	static void dumpARealRedis() throws Exception {
		port = freePort();
		Path data = Files.createDirectories(dir.resolve("data"));
		redis = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir",
				data.toString(), "--save", "", "--appendonly", "no")
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("redis.log").toFile())
			.start();
		// until the server listens, redis-cli fails to connect: that is a reason to ask again, not a failure
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
			.until(() -> redisCli(null, "ping").equals("PONG"));
		StringBuilder commands = new StringBuilder();
		for (int i = 0; i < 2000; i++) {
			commands.append("SET key:").append(i).append(" value-").append(i).append('\n');
		}
		commands.append("HSET user:1 name Ada city London\n");
		commands.append("RPUSH queue a b c d e\n");
		commands.append("SET big ").append("x".repeat(200_000)).append('\n');
		redisCli(commands.toString());
		Path file = dir.resolve("dump.rdb");
		redisCli(null, "--rdb", file.toString());
		dump = Files.readAllBytes(file);
	}

	@AfterAll
	static void stopRedis() throws InterruptedException {
		if (redis != null) {
			redis.destroy();
			if (!redis.waitFor(10, TimeUnit.SECONDS)) {
				redis.destroyForcibly().waitFor();
			}
		}
	}

	@Test
	void aRealDumpPassesAndReportsVersionAndLength() throws IOException {
		int versionInFile = Integer.parseInt(new String(dump, 5, 4, StandardCharsets.US_ASCII));
		RdbCheckingInputStream checking = new RdbCheckingInputStream(new ByteArrayInputStream(dump), MAX_VERSION);

		byte[] passed = checking.readAllBytes();

		assertThat(passed).isEqualTo(dump);
		assertThat(checking.isVerified()).isTrue();
		assertThat(checking.rdbVersion()).isEqualTo(versionInFile).isGreaterThanOrEqualTo(5);
		assertThat(checking.length()).isEqualTo(dump.length);
	}

	@Test
	void theTrailingChecksumIsRedisCrc64OfEverythingBeforeIt() {
		long stored = 0;
		for (int i = 7; i >= 0; i--) {
			stored = (stored << 8) | (dump[dump.length - 8 + i] & 0xff);
		}

		assertThat(stored).isNotZero().isEqualTo(Crc64.of(Arrays.copyOf(dump, dump.length - 8)));
	}

	@Test
	void aRealDumpPassesWhateverTheReadSizes() throws IOException {
		RdbCheckingInputStream checking = new RdbCheckingInputStream(new ByteArrayInputStream(dump), MAX_VERSION);
		byte[] buffer = new byte[32];
		int chunk = 1;
		while (checking.read(buffer, 0, chunk) != -1) {
			chunk = chunk % 31 + 1;
		}

		assertThat(checking.isVerified()).isTrue();
		assertThat(checking.length()).isEqualTo(dump.length);
	}

	@Test
	void aFlippedByteInsideAValueIsAChecksumMismatchAtTheChecksum() {
		byte[] corrupt = dump.clone();
		int value = indexOf(corrupt, "value-1234".getBytes(StandardCharsets.US_ASCII));
		corrupt[value + 6] ^= 0x01;

		assertInvalid(corrupt, MAX_VERSION).withMessageMatching(String.format("offset %,d: ", dump.length - 8).replace(",", "\\,")
				+ "RDB checksum mismatch: the dump says [0-9a-f]{16}, its bytes give [0-9a-f]{16}")
			.satisfies((ex) -> assertThat(ex.offset()).isEqualTo(dump.length - 8));
	}

	@Test
	void aFlippedByteInTheStructureIsRefusedWhereItIs() {
		byte[] corrupt = dump.clone();
		// the length of the value of key:1234 ("value-1234", 10 bytes) claims 63 bytes
		int value = indexOf(corrupt, "value-1234".getBytes(StandardCharsets.US_ASCII));
		corrupt[value - 1] = 0x3f;

		assertInvalid(corrupt, MAX_VERSION).satisfies((ex) -> assertThat(ex.offset()).isBetween((long) value - 1,
				(long) dump.length));
	}

	@Test
	void aTamperedChecksumIsAMismatch() {
		byte[] corrupt = dump.clone();
		corrupt[corrupt.length - 1] ^= 0x01;

		assertInvalid(corrupt, MAX_VERSION).withMessageContaining("RDB checksum mismatch");
	}

	@Test
	void aZeroChecksumMeansChecksumsWereDisabled() throws IOException {
		byte[] unchecked = dump.clone();
		Arrays.fill(unchecked, unchecked.length - 8, unchecked.length, (byte) 0);
		RdbCheckingInputStream checking = new RdbCheckingInputStream(new ByteArrayInputStream(unchecked), MAX_VERSION);

		checking.transferTo(OutputStream.nullOutputStream());

		assertThat(checking.isVerified()).isTrue();
	}

	@Test
	void aTruncatedDumpHasNoEndOfFileMarker() {
		assertThat(dump[dump.length - 9]).isEqualTo((byte) 0xFF);
		// cut so that the byte before the last 8 is an ordinary byte of the dump
		int cut = dump.length - 1;
		while (dump[cut - 9] == (byte) 0xFF) {
			cut--;
		}

		assertInvalid(Arrays.copyOf(dump, cut), MAX_VERSION).withMessageContaining("the dump ends too early");
		assertInvalid(Arrays.copyOf(dump, 9), MAX_VERSION)
			.withMessage("offset 9: the dump ends too early: 1 of the 1 bytes being read are missing");
		assertInvalid(Arrays.copyOf(dump, 3), MAX_VERSION).withMessageContaining("the dump ends too early");
		assertInvalid(new byte[0], MAX_VERSION).withMessage("dump is empty");
	}

	@Test
	void aCutThatHappensToEndAfterAnFfByteIsStillRefused() {
		byte[] cut = Arrays.copyOf(dump, dump.length - 1);
		cut[cut.length - 9] = (byte) 0xFF;

		assertInvalid(cut, MAX_VERSION).withMessageContaining("the dump ends too early");
	}

	@Test
	void somethingElseIsNotAnRdbFileAndIsRejectedEarly() {
		byte[] notRdb = dump.clone();
		notRdb[4] = 'X';
		InputStream endless = new InputStream() {
			private int position;

			@Override
			public int read() {
				return (this.position < notRdb.length) ? Byte.toUnsignedInt(notRdb[this.position++]) : 0;
			}
		};
		RdbCheckingInputStream checking = new RdbCheckingInputStream(endless, MAX_VERSION);

		assertThatExceptionOfType(InvalidRdbException.class).isThrownBy(() -> checking.readNBytes(1024))
			.withMessage("offset 0: not an RDB file: it does not start with REDIS or VALKEY");
	}

	@Test
	void aVersionNewerThanTheTargetSupportsIsRejected() {
		int versionInFile = Integer.parseInt(new String(dump, 5, 4, StandardCharsets.US_ASCII));

		assertInvalid(dump, versionInFile - 1).withMessage("offset 5: RDB version " + versionInFile
				+ " is newer than this Redis supports (max " + (versionInFile - 1) + ")");
	}

	@Test
	void anOldVersionWithoutChecksumEndsWithTheMarker() throws IOException {
		byte[] version4 = "REDIS0004\u00fe\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
		RdbCheckingInputStream checking = new RdbCheckingInputStream(new ByteArrayInputStream(version4), MAX_VERSION);

		checking.transferTo(OutputStream.nullOutputStream());

		assertThat(checking.rdbVersion()).isEqualTo(4);
		assertInvalid(Arrays.copyOf(version4, version4.length - 1), MAX_VERSION)
			.withMessageContaining("the dump ends too early");
	}

	private static org.assertj.core.api.ThrowableAssertAlternative<InvalidRdbException> assertInvalid(byte[] bytes,
			int maxVersion) {
		return assertThatExceptionOfType(InvalidRdbException.class).isThrownBy(() -> {
			try (InputStream in = new RdbCheckingInputStream(new ByteArrayInputStream(bytes), maxVersion)) {
				in.transferTo(OutputStream.nullOutputStream());
			}
		});
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		throw new AssertionError("not found");
	}

	private static String redisCli(String input, String... arguments) throws IOException, InterruptedException {
		List<String> command = new java.util.ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		try (OutputStream stdin = process.getOutputStream()) {
			if (input != null) {
				stdin.write(input.getBytes(StandardCharsets.UTF_8));
			}
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IOException("redis-cli " + String.join(" ", arguments) + " did not finish");
		}
		if (process.exitValue() != 0) {
			throw new IOException("redis-cli " + String.join(" ", arguments) + " failed: " + output);
		}
		return output;
	}

	private static String redisCli(String input) throws IOException, InterruptedException {
		return redisCli(input, new String[0]);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
