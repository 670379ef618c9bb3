package io.coffer.system;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml checked against the service's own configuration: names, ports, variables and volumes
 * must agree (DockerComposeRunTest runs its docker driver's service on an engine).
 */
class DockerComposeTest {

	private static Map<String, Map<String, Object>> services;

	private static Map<String, String> cofferEnv;

	@BeforeAll
	@SuppressWarnings("unchecked")
	static void parse() throws IOException {
		LoaderOptions options = new LoaderOptions();
		options.setMaxAliasesForCollections(100);
		Map<String, Object> compose = new Yaml(options).load(Files.readString(Path.of("docker-compose.yml")));
		services = (Map<String, Map<String, Object>>) compose.get("services");
		cofferEnv = (Map<String, String>) services.get("coffer").get("environment");
	}

	@Test
	void theProductionTopologyIsAllThere() {
		assertThat(services).containsKeys("postgres", "minio", "create-bucket", "redis-primary", "redis-replica",
				"sentinel-1", "sentinel-2", "sentinel-3", "haproxy", "coffer");
		assertThat(command("redis-replica")).contains("--replicaof redis-primary 6379");
		for (String sentinel : List.of("sentinel-1", "sentinel-2", "sentinel-3")) {
			assertThat(command(sentinel)).contains("sentinel monitor mymaster redis-primary 6379 2").contains("--sentinel");
		}
	}

	@Test
	void everyCofferVariableIsOneTheServiceReads() throws IOException {
		for (String variable : cofferEnv.keySet()) {
			assertThat(EnvironmentVariablesTest.settingsSetBy(variable)).as(variable).isNotEmpty();
		}
	}

	@Test
	void cofferPointsAtThePostgresAndMinioOfTheFile() {
		URI database = URI.create(cofferEnv.get("COFFER_DATABASE_URL").substring("jdbc:".length()));
		Map<String, String> postgres = env("postgres");
		assertThat(database.getHost()).isEqualTo("postgres");
		assertThat(database.getPort()).isEqualTo(5432);
		assertThat(database.getPath()).isEqualTo("/" + postgres.get("POSTGRES_DB"));
		assertThat(cofferEnv.get("COFFER_DATABASE_USERNAME")).isEqualTo(postgres.get("POSTGRES_USER"));
		assertThat(cofferEnv.get("COFFER_DATABASE_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));

		URI s3 = URI.create(cofferEnv.get("COFFER_S3_ENDPOINT"));
		Map<String, String> minio = env("minio");
		assertThat(s3.getHost()).isEqualTo("minio");
		assertThat((List<String>) ports("minio")).contains(s3.getPort() + ":" + s3.getPort());
		assertThat(cofferEnv.get("COFFER_S3_ACCESS_KEY")).isEqualTo(minio.get("MINIO_ROOT_USER"));
		assertThat(cofferEnv.get("COFFER_S3_SECRET_KEY")).isEqualTo(minio.get("MINIO_ROOT_PASSWORD"));
		assertThat(String.valueOf(services.get("create-bucket").get("entrypoint")))
			.contains("store/" + cofferEnv.get("COFFER_S3_BUCKET"))
			.contains("http://minio:" + s3.getPort());
	}

	@Test
	void theBackupPathMappingMatchesTheMountedRedisVolumes() {
		@SuppressWarnings("unchecked")
		List<String> mounts = (List<String>) services.get("coffer").get("volumes");
		for (String entry : cofferEnv.get("COFFER_BACKUP_PATH_MAPPING").split(",")) {
			String node = entry.substring(0, entry.indexOf(':'));
			String nodeFolder = entry.substring(entry.indexOf(':') + 1, entry.indexOf('='));
			String localFolder = entry.substring(entry.indexOf('=') + 1);
			assertThat(services).containsKey(node);
			@SuppressWarnings("unchecked")
			String nodeVolume = ((List<String>) services.get(node).get("volumes")).stream()
				.filter((volume) -> volume.endsWith(":" + nodeFolder))
				.findFirst()
				.orElseThrow()
				.split(":")[0];
			assertThat(mounts).contains(nodeVolume + ":" + localFolder + ":ro");
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void theDockerDriverServiceReachesTheHostsEngineAndBindsItsDataFolderAtTheSamePath() throws IOException {
		Map<String, Object> service = services.get("coffer-docker-driver");
		assertThat((List<String>) service.get("profiles")).containsExactly("docker-driver");
		assertThat(service.get("network_mode")).as("the nodes listen on the host's loopback address").isEqualTo("host");
		Map<String, String> env = (Map<String, String>) service.get("environment");
		for (String variable : env.keySet()) {
			assertThat(EnvironmentVariablesTest.settingsSetBy(variable)).as(variable).isNotEmpty();
		}
		assertThat(env).containsEntry("COFFER_PROVISIONING_DRIVER", "docker");
		String socket = URI.create(env.get("COFFER_PROVISIONING_DOCKER_HOST")).getPath();
		List<String> volumes = (List<String>) service.get("volumes");
		assertThat(volumes).as("the engine's socket, of whichever engine DOCKER_SOCKET names")
			.anyMatch((volume) -> volume.endsWith(":" + socket));
		Matcher version = Pattern.compile("<artifactId>coffer</artifactId>\\s*<version>([^<]+)</version>")
			.matcher(Files.readString(Path.of("pom.xml")));
		assertThat(version.find()).isTrue();
		assertThat((String) service.get("image")).as("the image scripts/images builds")
			.endsWith(":-coffer/coffer:" + version.group(1) + "}");
		String dataDir = env.get("COFFER_DATA_DIR");
		assertThat(volumes).contains(dataDir + ":" + dataDir);
	}

	@Test
	void haproxyRoutesToTheRedisServicesOfTheFile() throws IOException {
		String config = Files.readString(Path.of("docker/haproxy.cfg"));
		Matcher servers = Pattern.compile("server \\S+ ([a-z0-9-]+):6379").matcher(config);
		int count = 0;
		while (servers.find()) {
			assertThat(services).containsKey(servers.group(1));
			count++;
		}
		assertThat(count).isEqualTo(2);
		assertThat(config).contains("role:master");
	}

	@Test
	void theImageIsBuiltFromEveryFolderAndFileTheJarPackages() throws IOException {
		String dockerfile = Files.readString(Path.of("Dockerfile"));
		Matcher includes = Pattern.compile("<include>([^<]+)</include>").matcher(Files.readString(Path.of("pom.xml")));
		int count = 0;
		while (includes.find()) {
			String top = includes.group(1).split("/")[0];
			assertThat(dockerfile).as("Dockerfile copies " + top + " into the build").contains("COPY " + top + " " + top);
			count++;
		}
		assertThat(count).isPositive();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, String> env(String service) {
		return (Map<String, String>) services.get(service).get("environment");
	}

	private static Object ports(String service) {
		return services.get(service).get("ports");
	}

	private static String command(String service) {
		return String.valueOf(services.get(service).get("command"));
	}

}
