package io.coffer.engine;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.coffer.node.ProvisioningProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.YamlMapFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

import static io.coffer.node.ServerPrograms.isInstalled;

/**
 * The engines of {@code engines.yml} (Redis, Valkey), each a version with the server program that runs
 * it: the file packaged with the service, or the operator's own when {@code coffer.engines-file} names
 * one. An entry without {@code version} is offered at the version its program reports, and one marked
 * {@code if-installed} only when its program is installed. An empty list offers the one engine
 * installed, {@code coffer.provisioning.redis-server}, at the version it reports. New databases get the
 * file's {@code default}, else the latest Redis version.
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

	EngineCatalogue(EnginesProperties properties, ProvisioningProperties provisioning) {
		this.installedRedisServer = provisioning.redisServer();
		this.installedVersion = installedVersion(this.installedRedisServer);
		Resource file = (properties.enginesFile() != null) ? new FileSystemResource(properties.enginesFile())
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

	/**
	 * The engine a new database asks for: {@code version} of {@code engine}; the latest version offered of
	 * {@code engine} when no version is named; of the default's engine when no engine is named; the default
	 * when neither is.
	 * @throws IllegalArgumentException with a sentence for an engine or version not offered, or not written x.y.z
	 */
	public Optional<EngineVersion> choose(String engine, String version) {
		if (engine == null && version == null) {
			return defaultVersion();
		}
		String name = (engine != null) ? engine.strip().toLowerCase(java.util.Locale.ROOT)
				: defaultVersion().map(EngineVersion::engine).orElse(EngineVersion.REDIS);
		EngineVersion.of(name, "0.0.0"); // an engine Coffer knows
		if (version == null) {
			return Optional.of(this.engines.keySet()
				.stream()
				.filter((offered) -> offered.engine().equals(name))
				.reduce((first, second) -> second)
				.orElseThrow(() -> new IllegalArgumentException("no " + name + " version is offered; the engines "
						+ "offered are " + this.engines.keySet() + " (GET /api/v1/engines)")));
		}
		EngineVersion asked = EngineVersion.of(name, version);
		if (!this.engines.containsKey(asked)) {
			throw new IllegalArgumentException(asked.label() + " is not offered; the engines offered are "
					+ this.engines.keySet() + " (GET /api/v1/engines)");
		}
		return Optional.of(asked);
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
	public String server(String version) {
		if (version == null) {
			return this.installedRedisServer;
		}
		Engine engine = this.engines.get(EngineVersion.parse(version));
		if (engine == null) {
			throw new IllegalStateException("engine " + version + " is no longer in the engine catalogue: add it back "
					+ "(its server) so that its databases can run");
		}
		return engine.server();
	}

	/**
	 * The engine offered that loads a dump of that RDB version, preferring {@code preferred} (the backup's
	 * own), else the oldest of the same engine that reads it, else the oldest of any engine: what a drill runs
	 * its scratch server on. Empty when no engine offered reads it.
	 */
	public Optional<Engine> reading(int rdbVersion, EngineVersion preferred) {
		if (preferred != null && this.engines.containsKey(preferred) && preferred.readsRdb(rdbVersion)) {
			return Optional.of(this.engines.get(preferred));
		}
		List<Engine> readers = this.engines.values().stream().filter((e) -> e.version().readsRdb(rdbVersion)).toList();
		return readers.stream()
			.filter((e) -> preferred != null && e.version().sameEngine(preferred))
			.findFirst()
			.or(() -> readers.stream().findFirst());
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
			throw invalid(file, "'engines:' must be a list of entries with 'engine', 'version' and 'server'");
		}
		int position = 0;
		for (Object entry : entries) {
			position++;
			if (!(entry instanceof Map<?, ?> map)) {
				throw invalid(file, "entry " + position + " is not a map with 'engine', 'version' and 'server'");
			}
			String engineName = (map.get("engine") != null) ? String.valueOf(map.get("engine")) : EngineVersion.REDIS;
			EngineVersion version;
			EngineVersion ofEngine;
			try {
				ofEngine = EngineVersion.of(engineName, "0.0.0");
				version = (map.get("version") != null) ? EngineVersion.of(engineName, String.valueOf(map.get("version")))
						: null;
			}
			catch (IllegalArgumentException ex) {
				throw invalid(file, "entry " + position + ": " + ex.getMessage());
			}
			String name = "entry " + ((version != null) ? version : String.valueOf(position));
			Object program = (map.get("server") != null) ? map.get("server") : map.get("redis-server");
			if (program == null || String.valueOf(program).isBlank()) {
				throw invalid(file, name + " names no 'server' (the program that runs it)");
			}
			if (Boolean.TRUE.equals(map.get("if-installed")) && !isInstalled(String.valueOf(program))) {
				log.info("The {} of {} is not offered: '{}' is not installed here", engineName, file.getDescription(),
						program);
				continue;
			}
			EngineVersion reported = reported(file, name, String.valueOf(program));
			if (!reported.sameEngine(ofEngine)) {
				throw invalid(file, name + " is " + engineName + ", and '" + program + "' is " + reported.label());
			}
			if (version == null) {
				version = reported;
			}
			else if (!reported.equals(version)) {
				log.warn("Engine {} of {} runs '{}', which reports version {}", version, file.getDescription(), program,
						reported);
			}
			Engine engine = new Engine(version, String.valueOf(program), reported);
			if (engines.put(version, engine) != null) {
				throw invalid(file, "version " + version + " is listed twice");
			}
		}
		return engines;
	}

	/**
	 * The engine and version the program reports: it must exist and run. One that reports another version
	 * than its entry's is only worth a warning (a build with patches of its own may report its base version).
	 */
	private static EngineVersion reported(Resource file, String entry, String program) {
		if (!isInstalled(program)) {
			throw invalid(file, entry + " names the server '" + program + "', which is not an executable file"
					+ (program.contains(File.separator) ? "" : " on the PATH"));
		}
		EngineVersion reported = reportedVersion(program);
		if (reported == null) {
			throw invalid(file, entry + ": '" + program + " --version' does not report a Redis or Valkey version");
		}
		return reported;
	}

	/**
	 * The file's {@code default}: {@code redis 7.0.15}, {@code valkey 8.0.1}, a bare {@code 7.0.15} (Redis), or
	 * an engine alone ({@code redis}) for its latest version listed. Absent: the latest Redis listed, else the
	 * latest version.
	 */
	private static EngineVersion defaultVersion(Resource file, Object value, Map<EngineVersion, Engine> engines) {
		TreeMap<EngineVersion, Engine> listed = (TreeMap<EngineVersion, Engine>) engines;
		if (value == null) {
			return listed.keySet()
				.stream()
				.filter((version) -> EngineVersion.REDIS.equals(version.engine()))
				.reduce((first, second) -> second)
				.orElse(listed.isEmpty() ? null : listed.lastKey());
		}
		String text = String.valueOf(value).strip();
		if (EngineVersion.REDIS.equals(text) || EngineVersion.VALKEY.equals(text)) {
			return listed.keySet()
				.stream()
				.filter((version) -> version.engine().equals(text))
				.reduce((first, second) -> second)
				.orElseThrow(() -> invalid(file, "'default' is " + text + ", and no " + text + " version is offered "
						+ listed.keySet()));
		}
		EngineVersion version;
		try {
			version = EngineVersion.parse(text);
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

	private static IllegalStateException invalid(Resource file, String problem) {
		return new IllegalStateException("the engines file " + file.getDescription() + ": " + problem);
	}

	/**
	 * An engine version offered.
	 *
	 * @param version what databases record and upgrade to
	 * @param server the program that runs it ({@code redis-server}, {@code valkey-server}): a path, or a name found
	 * on the PATH
	 * @param reportedVersion what the program says it is, which a node running it reports in {@code INFO server}
	 */
	public record Engine(EngineVersion version, String server, EngineVersion reportedVersion) {
	}

}
