package io.coffer.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The engine catalogue of the tests. This machine has one Redis version, so the newer versions are
 * that same {@code redis-server} under other names: a symbolic link per version, which Redis reports
 * as its {@code executable}, so a test can tell which catalogue entry a node runs. Databases start on
 * the installed version ({@code default}).
 * <ul>
 * <li>{@link #INSTALLED} {@code x.y.z}: the installed {@code redis-server}</li>
 * <li>{@link #BROKEN} {@code x.(y+1).0}: a program that answers {@code --version} but never serves,
 * for upgrades that fail midway</li>
 * <li>{@link #NEXT} {@code x.(y+2).0}: a link to the installed {@code redis-server}</li>
 * <li>{@link #NEXT_MAJOR} {@code (x+1).0.0}: another link, reachable only from {@link #NEXT}</li>
 * <li>{@link #VALKEY} {@code valkey x.y.z}: the installed {@code valkey-server}, a real other engine</li>
 * </ul>
 */
public final class TestEngines {

	public static final String INSTALLED;

	public static final String BROKEN;

	public static final String NEXT;

	public static final String NEXT_MAJOR;

	/** How the catalogue records the installed Valkey: {@code valkey x.y.z}. */
	public static final String VALKEY;

	/** The installed Valkey's version, {@code x.y.z}. */
	public static final String VALKEY_VERSION;

	private static final Path REDIS_SERVER;

	private static Path file;

	static {
		REDIS_SERVER = Stream.of(System.getenv("PATH").split(File.pathSeparator))
			.map((folder) -> Path.of(folder, "redis-server"))
			.filter(Files::isExecutable)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("redis-server is not installed"));
		Matcher version = Pattern.compile("v=(\\d+)\\.(\\d+)\\.(\\d+)").matcher(run(REDIS_SERVER.toString(), "--version"));
		if (!version.find()) {
			throw new IllegalStateException("redis-server --version reports no version");
		}
		int major = Integer.parseInt(version.group(1));
		int minor = Integer.parseInt(version.group(2));
		INSTALLED = version.group(1) + "." + version.group(2) + "." + version.group(3);
		BROKEN = major + "." + (minor + 1) + ".0";
		NEXT = major + "." + (minor + 2) + ".0";
		NEXT_MAJOR = (major + 1) + ".0.0";
		Path valkey = Stream.of(System.getenv("PATH").split(File.pathSeparator))
			.map((folder) -> Path.of(folder, "valkey-server"))
			.filter(Files::isExecutable)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("valkey-server is not installed (scripts/test installs it)"));
		Matcher valkeyVersion = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)").matcher(run(valkey.toString(), "--version"));
		if (!valkeyVersion.find()) {
			throw new IllegalStateException("valkey-server --version reports no version");
		}
		VALKEY_VERSION = valkeyVersion.group(1);
		VALKEY = "valkey " + VALKEY_VERSION;
	}

	private TestEngines() {
	}

	/** The {@code redis-server} a node of version {@link #NEXT} or {@link #NEXT_MAJOR} runs, as Redis reports it. */
	public static String program(Path workFolder, String version) {
		return workFolder.resolve("engines").resolve(version).resolve("redis-server").toString();
	}

	/** Writes the catalogue and its programs under the work folder, once. */
	public static synchronized Path file(Path workFolder) {
		if (file != null) {
			return file;
		}
		try {
			Path folder = workFolder.resolve("engines");
			for (String version : new String[] { NEXT, NEXT_MAJOR }) {
				Path link = Path.of(program(workFolder, version));
				Files.createDirectories(link.getParent());
				Files.createSymbolicLink(link, REDIS_SERVER);
			}
			Path broken = Path.of(program(workFolder, BROKEN));
			Files.createDirectories(broken.getParent());
			Files.writeString(broken, """
					#!/bin/sh
					if [ "$1" = "--version" ]; then exec %s --version; fi
					echo "this test engine never starts" >&2
					exit 1
					""".formatted(REDIS_SERVER), StandardCharsets.UTF_8);
			Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
			file = Files.writeString(folder.resolve("engines.yml"), """
					engines:
					  - version: %s
					    redis-server: redis-server
					  - version: %s
					    redis-server: %s
					  - version: %s
					    redis-server: %s
					  - version: %s
					    redis-server: %s
					  - engine: valkey
					    server: valkey-server
					default: %s
					""".formatted(INSTALLED, BROKEN, broken, NEXT, program(workFolder, NEXT), NEXT_MAJOR,
					program(workFolder, NEXT_MAJOR), INSTALLED), StandardCharsets.UTF_8);
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			process.waitFor();
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
