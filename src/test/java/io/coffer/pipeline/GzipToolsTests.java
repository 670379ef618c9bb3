package io.coffer.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An archive Coffer writes, with each library, is standard gzip: {@code gzip -t}, {@code tar xzf},
 * {@code pigz -d} and {@code igzip -d} (Debian's {@code isal}) read it and reject it corrupted.
 */
class GzipToolsTests {

	private static final int BLOCK = 256 * 1024;

	@TempDir
	Path dir;

	static Iterable<DeflateLibrary> libraries() {
		return DeflateLibraryTests.libraries();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void gzipTarAndPigzReadTheArchiveAndRefuseItCorrupted(DeflateLibrary library) throws Exception {
		byte[] dump = DeflateLibraryTests.mixed(5 * BLOCK + 333);
		byte[] manifest = "{\"database\":\"db-1\"}".getBytes(StandardCharsets.UTF_8);
		Path archive = writeArchive(library, dump, manifest);

		assertThat(run(this.dir, "gzip", "-t", archive.toString())).isZero();
		Path extracted = Files.createDirectories(this.dir.resolve("extracted"));
		assertThat(run(this.dir, "tar", "xzf", archive.toString(), "-C", extracted.toString())).isZero();
		assertThat(Files.readAllBytes(extracted.resolve("dump.rdb"))).isEqualTo(dump);
		assertThat(Files.readAllBytes(extracted.resolve("backup.json"))).isEqualTo(manifest);
		assertThat(decompressWith(archive, "pigz", "-dc")).isEqualTo(Files.readAllBytes(plainTar(library, archive)));

		Path corrupt = corrupted(archive);
		assertThat(run(this.dir, "gzip", "-t", corrupt.toString())).isNotZero();
		assertThat(run(this.dir, "pigz", "-t", corrupt.toString())).isNotZero();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("libraries")
	void igzipReadsTheArchive(DeflateLibrary library) throws Exception {
		Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/igzip")),
				"igzip is not installed (Debian package isal): the igzip -d check is skipped");
		Path archive = writeArchive(library, DeflateLibraryTests.mixed(4 * BLOCK), new byte[] { '{', '}' });

		assertThat(decompressWith(archive, "igzip", "-dc")).isEqualTo(Files.readAllBytes(plainTar(library, archive)));
		assertThat(run(this.dir, "igzip", "-t", corrupted(archive).toString())).isNotZero();
	}

	private Path writeArchive(DeflateLibrary library, byte[] dump, byte[] manifest) throws IOException {
		Path archive = this.dir.resolve("backup-" + library.id() + ".tar.gz");
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
				new ParallelGzipOutputStream(Files.newOutputStream(archive), library, 1, 2, BLOCK))) {
			addEntry(tar, "dump.rdb", dump);
			addEntry(tar, "backup.json", manifest);
		}
		return archive;
	}

	/** The tar inside, as Coffer's own reader gives it. */
	private Path plainTar(DeflateLibrary library, Path archive) throws IOException {
		Path tar = this.dir.resolve("plain-" + library.id() + ".tar");
		try (GzipMembersInputStream in = new GzipMembersInputStream(Files.newInputStream(archive), library)) {
			Files.copy(in, tar);
		}
		return tar;
	}

	private Path corrupted(Path archive) throws IOException {
		byte[] bytes = Files.readAllBytes(archive);
		bytes[bytes.length / 2] ^= 0x55;
		Path corrupt = this.dir.resolve("corrupt-" + archive.getFileName());
		Files.write(corrupt, bytes);
		return corrupt;
	}

	private byte[] decompressWith(Path archive, String... command) throws Exception {
		Path output = this.dir.resolve(archive.getFileName() + "." + command[0]);
		Process process = new ProcessBuilder(append(command, archive.toString())).directory(this.dir.toFile())
			.redirectOutput(output.toFile())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(command[0] + " finished").isTrue();
		assertThat(process.exitValue()).as(command[0] + " exit status").isZero();
		return Files.readAllBytes(output);
	}

	/** Runs a tool in {@code dir}, its output discarded; answers its exit status. */
	static int run(Path dir, String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).directory(dir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IOException(String.join(" ", command) + " did not finish");
		}
		return process.exitValue();
	}

	private static String[] append(String[] command, String argument) {
		String[] all = Arrays.copyOf(command, command.length + 1);
		all[command.length] = argument;
		return all;
	}

	static void addEntry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
		TarArchiveEntry entry = new TarArchiveEntry(name);
		entry.setSize(content.length);
		tar.putArchiveEntry(entry);
		tar.write(content);
		tar.closeArchiveEntry();
	}

}
