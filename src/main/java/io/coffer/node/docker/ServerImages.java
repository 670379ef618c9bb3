package io.coffer.node.docker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The images nodes run, {@code coffer/redis:<version>}, {@code coffer/valkey:<version>} and
 * {@code coffer/haproxy:<version>}, built on
 * the engine from the server program installed here: {@code FROM scratch}, the program at its own path and
 * the shared libraries {@code ldd} names, and {@code /bin/sh} to set the umask (no package manager, nothing else). No registry is
 * needed, and the container runs exactly the build of the program the process driver would run.
 */
public final class ServerImages {

	/** The label that marks images Coffer built, so that they are told from others. */
	public static final String BUILT_BY = "io.coffer.built-by";

	private static final Pattern VERSION = Pattern.compile("^(\\w+) server v=(\\d+\\.\\d+\\.\\d+)");

	// "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/": the upstream version is the tag
	private static final Pattern HAPROXY_VERSION = Pattern.compile("^(HAProxy) version (\\d+\\.\\d+\\.\\d+)");

	// "libssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
	private static final Pattern LIBRARY = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

	/**
	 * The label that names the program an image holds: two programs of the same version (a build of one's own
	 * beside the packaged one) have the same tag, and a tag built of the other program is built anew.
	 */
	public static final String PROGRAM = "io.coffer.program";

	/** Which way of building the image made it: a change of {@link #context} changes it. */
	static final String RECIPE = "coffer-scratch-2";

	/** The one program besides the server in the image: what sets the umask before it runs the server. */
	private static final Path SHELL = Path.of("/bin/sh");

	private final Map<String, Image> built = new ConcurrentHashMap<>();

	/** An image, and the program's path inside it. */
	public record Image(String tag, String program) {
	}

	/**
	 * The image for the program, built on the engine unless it has it already.
	 * @param program a path, or a name found on the PATH
	 */
	public Image imageFor(DockerEngine engine, String program) {
		Path path = resolve(program);
		return this.built.computeIfAbsent(engine.host() + " " + path, (key) -> {
			Image image = new Image(tag(path), path.toString());
			// an image of the same tag built another way (by someone else, or by an older Coffer) is built anew
			boolean current = engine.imageLabels(image.tag())
				.map((labels) -> RECIPE.equals(labels.get(BUILT_BY)) && path.toString().equals(labels.get(PROGRAM)))
				.orElse(false);
			if (!current) {
				engine.build(new ByteArrayInputStream(context(path)), image.tag(),
						Map.of(BUILT_BY, RECIPE, PROGRAM, path.toString()));
			}
			return image;
		});
	}

	/** {@code coffer/<engine>:<version>} ({@code coffer/haproxy:<version>}), from what the program says with {@code -v}. */
	static String tag(Path program) {
		String said = run(program.toString(), "-v");
		Matcher matcher = Stream.of(VERSION, HAPROXY_VERSION)
			.map((pattern) -> pattern.matcher(said.trim()))
			.filter(Matcher::find)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException(program + " -v does not say a program and a version: " + said));
		return "coffer/" + matcher.group(1).toLowerCase() + ":" + matcher.group(2);
	}

	/** The build context: a Dockerfile and the root filesystem it copies, as a tar. */
	static byte[] context(Path program) {
		Set<Path> files = new LinkedHashSet<>();
		for (Path executable : List.of(program, SHELL)) {
			files.add(executable);
			Matcher libraries = LIBRARY.matcher(run("ldd", executable.toString()));
			while (libraries.find()) {
				files.add(Path.of(libraries.group(1)));
			}
		}
		// Redis gives the files it writes (its log, the dump, CONFIG REWRITE of its configuration) the mode
		// its umask allows: the owner's alone, as the configuration holds the password. exec keeps the
		// program as the container's first process, the one the engine watches and signals.
		String dockerfile = "FROM scratch\nCOPY rootfs/ /\nENTRYPOINT [\"" + SHELL + "\", \"-c\", "
				+ "\"umask 077 && exec \\\"$0\\\" \\\"$@\\\"\", \"" + program + "\"]\n";
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			add(tar, "Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8), 0644);
			for (Path file : files) {
				// a library's path is often a link: the image gets the content under the name the loader asks for
				add(tar, "rootfs" + file, Files.readAllBytes(file), 0755);
			}
			// Redis writes nothing outside its folder, but some libraries want a /tmp
			TarArchiveEntry tmp = new TarArchiveEntry("rootfs/tmp/");
			tmp.setMode(01777 | TarArchiveEntry.DEFAULT_DIR_MODE);
			tar.putArchiveEntry(tmp);
			tar.closeArchiveEntry();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot pack " + program + " and its libraries into an image", ex);
		}
		return bytes.toByteArray();
	}

	private static void add(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
		TarArchiveEntry entry = new TarArchiveEntry(name);
		entry.setSize(content.length);
		entry.setMode(mode);
		tar.putArchiveEntry(entry);
		tar.write(content);
		tar.closeArchiveEntry();
	}

	private static Path resolve(String program) {
		Path path = Path.of(program);
		if (!path.isAbsolute()) {
			String pathVariable = System.getenv("PATH");
			path = (pathVariable == null) ? path : java.util.Arrays.stream(pathVariable.split(java.io.File.pathSeparator))
				.map((folder) -> Path.of(folder, program))
				.filter(Files::isExecutable)
				.findFirst()
				.orElseThrow(() -> new IllegalStateException(program + " is not installed here: no image can be built of it"));
		}
		if (!Files.isExecutable(path)) {
			throw new IllegalStateException(program + " is not installed here: no image can be built of it");
		}
		// not the link's target: redis-server is a link to redis-check-rdb, and the name it runs as decides
		return path.toAbsolutePath().normalize();
	}

	private static String run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
			}
			return output;
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while running " + command[0], ex);
		}
	}

}
