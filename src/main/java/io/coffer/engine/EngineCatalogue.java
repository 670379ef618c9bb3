package io.coffer.engine;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.coffer.system.CofferProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.YamlMapFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/**
 * The engine versions of {@code engines.yml}, each with the {@code redis-server} that runs it: the
 * file packaged with the service, or the operator's own when {@code coffer.engines-file} names one.
 * An empty list offers the one engine installed, {@code coffer.provisioning.redis-server}, at the
 * version it reports. New databases get the file's {@code default}, else the latest version.
 * <p>
 * Read once at start-up: an entry whose version is not {@code x.y.z}, or whose program does not exist
 * or does not run, stops the service with a sentence naming the file and the entry, rather than
 * failing the first upgrade that uses it.
 */
@Component
public class EngineCatalogue {

	private static final Logger log = LoggerFactory.getLogger(EngineCatalogue.class);

	private final Map<EngineVersion, Engine> engines;

	private final EngineVersion defaultVersion;

	private final String installedRedisServer;

	private final EngineVersion installedVersion;

	EngineCatalogue(CofferProperties properties) {
		this.installedRedisServer = properties.getProvisioning().getRedisServer();
		this.installedVersion = installedVersion(this.installedRedisServer);
		Resource file = (properties.getEnginesFile() != null) ? new FileSystemResource(properties.getEnginesFile())
				: new ClassPathResource("engines.yml");
		Map<String, Object> content = read(file);
		Map<EngineVersion, Engine> listed = entries(file, content.get("engines"));
		if (listed.isEmpty() && this.installedVersion != null) {
			listed.put(this.installedVersion,
					new Engine(this.installedVersion, this.installedRedisServer, this.installedVersion));
		}
		this.engines = Collections.unmodifiableMap(listed);
		this.defaultVersion = defaultVersion(file, content.get("default"), listed);
		log.info("Engine versions offered: {}; new databases get {}", listed.keySet(), this.defaultVersion);
	}

	/** The versions offered, oldest first. */
	public List<Engine> all() {
		return List.copyOf(this.engines.values());
	}

	public Optional<Engine> find(EngineVersion version) {
		return Optional.ofNullable(this.engines.get(version));
	}

	/** The version new databases get; empty when no engine is known (none listed, none installed). */
	public Optional<EngineVersion> defaultVersion() {
		return Optional.ofNullable(this.defaultVersion);
	}

	/** The version {@code coffer.provisioning.redis-server} reports: what databases made before versions were recorded run. */
	public Optional<EngineVersion> installedVersion() {
		return Optional.ofNullable(this.installedVersion);
	}

	public EngineUpgradeRules rules() {
		return new EngineUpgradeRules(this.engines.keySet());
	}

	/**
	 * The program that runs a node recorded at {@code version}; {@code null} (a database made before
	 * versions were recorded) is the installed {@code redis-server} it was started with.
	 * @throws IllegalStateException when the version is no longer in the catalogue
	 */
	public String redisServer(String version) {
		if (version == null) {
			return this.installedRedisServer;
		}
		Engine engine = this.engines.get(EngineVersion.parse(version));
		if (engine == null) {
			throw new IllegalStateException("engine " + version + " is no longer in the engine catalogue: add it back "
					+ "(its redis-server) so that its databases can run");
		}
		return engine.redisServer();
	}

	private static Map<String, Object> read(Resource file) {
		if (!file.exists()) {
			throw new IllegalStateException("the engines file " + file.getDescription() + " does not exist");
		}
		YamlMapFactoryBean yaml = new YamlMapFactoryBean();
		yaml.setResources(file);
		Map<String, Object> content = yaml.getObject();
		return (content != null) ? content : Map.of();
	}

	private static Map<EngineVersion, Engine> entries(Resource file, Object list) {
		Map<EngineVersion, Engine> engines = new TreeMap<>();
		if (list == null) {
			return engines;
		}
		if (!(list instanceof List<?> entries)) {
			throw invalid(file, "'engines:' must be a list of entries with 'version' and 'redis-server'");
		}
		int position = 0;
		for (Object entry : entries) {
			position++;
			if (!(entry instanceof Map<?, ?> map)) {
				throw invalid(file, "entry " + position + " is not a map with 'version' and 'redis-server'");
			}
			EngineVersion version;
			try {
				version = EngineVersion.parse(String.valueOf(map.get("version")));
			}
			catch (IllegalArgumentException ex) {
				throw invalid(file, "entry " + position + ": " + ex.getMessage());
			}
			Object program = map.get("redis-server");
			if (program == null || String.valueOf(program).isBlank()) {
				throw invalid(file, "entry " + version + " names no 'redis-server'");
			}
			Engine engine = new Engine(version, String.valueOf(program), reported(file, version, String.valueOf(program)));
			if (engines.put(version, engine) != null) {
				throw invalid(file, "version " + version + " is listed twice");
			}
		}
		return engines;
	}

	/**
	 * The version the program reports: it must exist and run. One that reports another version than its
	 * entry's is only worth a warning (a build with patches of its own may report its base version).
	 */
	private static EngineVersion reported(Resource file, EngineVersion version, String program) {
		if (!isInstalled(program)) {
			throw invalid(file, "entry " + version + " names redis-server '" + program + "', which is not an executable file"
					+ (program.contains(File.separator) ? "" : " on the PATH"));
		}
		EngineVersion reported = reportedVersion(program);
		if (reported == null) {
			throw invalid(file, "entry " + version + ": '" + program + " --version' does not report a Redis version");
		}
		if (!reported.equals(version)) {
			log.warn("Engine {} of {} runs '{}', which reports version {}", version, file.getDescription(), program,
					reported);
		}
		return reported;
	}

	private static EngineVersion defaultVersion(Resource file, Object value, Map<EngineVersion, Engine> engines) {
		if (value == null) {
			return engines.isEmpty() ? null : ((TreeMap<EngineVersion, Engine>) engines).lastKey();
		}
		EngineVersion version;
		try {
			version = EngineVersion.parse(String.valueOf(value));
		}
		catch (IllegalArgumentException ex) {
			throw invalid(file, "'default': " + ex.getMessage());
		}
		if (!engines.containsKey(version)) {
			throw invalid(file, "'default' is " + version + ", which is not one of the versions listed " + engines.keySet());
		}
		return version;
	}

	private static EngineVersion installedVersion(String program) {
		if (!isInstalled(program)) {
			log.warn("'{}' is not installed here: no engine version is known for provisioned databases", program);
			return null;
		}
		return reportedVersion(program);
	}

	private static EngineVersion reportedVersion(String program) {
		try {
			Process process = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return null;
			}
			return EngineVersion.fromVersionOutput(output);
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	/** Whether the program is an executable file, as a path or found on the PATH. */
	public static boolean isInstalled(String program) {
		if (program.contains(File.separator)) {
			return Files.isExecutable(Path.of(program));
		}
		String path = System.getenv("PATH");
		return path != null && Stream.of(path.split(File.pathSeparator))
			.anyMatch((folder) -> !folder.isEmpty() && Files.isExecutable(Path.of(folder, program)));
	}

	private static IllegalStateException invalid(Resource file, String problem) {
		return new IllegalStateException("the engines file " + file.getDescription() + ": " + problem);
	}

	/**
	 * An engine version offered.
	 *
	 * @param version what databases record and upgrade to
	 * @param redisServer the program that runs it: a path, or a name found on the PATH
	 * @param reportedVersion what the program says it is, which a node running it reports as {@code redis_version}
	 */
	public record Engine(EngineVersion version, String redisServer, EngineVersion reportedVersion) {
	}

}
