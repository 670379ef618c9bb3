package io.coffer.node;

import io.coffer.provision.ProvisioningTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import io.coffer.catalog.DatabaseWork;
import io.coffer.catalog.ProvisioningRepository;
import io.coffer.testsupport.CofferTestServices;
import io.coffer.testsupport.IntegrationTest;
import io.coffer.tls.CertificateAuthority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files of provisioned nodes hold the database's password (and, with TLS, its key): every one of
 * them readable by Coffer's user alone, in folders of that user alone, from the moment it is written,
 * after Redis rewrote it, and for nodes an older version left readable, once an instance finds them.
 */
class NodeFilesPrivacyTest extends IntegrationTest {

	private static final String FILE = "rw-------";

	private static final String FOLDER = "rwx------";

	@Autowired
	ProvisioningRepository repository;

	@Autowired
	DatabaseNodes nodes;

	@Autowired
	ProcessNodeDriver driver;

	@Autowired
	DatabaseLocks locks;

	@Autowired
	DatabaseWork work;

	@Autowired
	ProvisioningProperties properties;

	@Autowired
	CertificateAuthority authority;

	@Test
	void aBusinessDatabasesFilesAndFoldersAreItsOwnersOnlyBeforeAndAfterRedisRewritesThem() throws Exception {
		Provisioned provisioned = provision("private-files", "redis-business-256");
		String id = provisioned.id();
		Path folder = ProvisioningTest.nodesFolder().resolve(id);
		assertThat(folder.resolve("redis-1").resolve("redis.conf")).isRegularFile();
		assertThat(folder.resolve("sentinel-1").resolve("sentinel.conf")).isRegularFile();
		assertThat(folder.resolve(DatabaseNodes.HAPROXY_LEADER).resolve("haproxy.cfg")).isRegularFile();
		assertThat(Files.readString(folder.resolve("redis-1").resolve("redis.conf"))).contains(provisioned.password());
		assertPrivate(folder);

		// Redis and its sentinels write their files again as the database lives: a configuration change
		// and forcing TLS rewrite every node's file (CONFIG REWRITE, a sentinel's state) and add key files
		try (Jedis jedis = ProvisioningTest.connect(provisioned.url(), id, provisioned.password())) {
			jedis.configRewrite();
		}
		changeConfig(operator(), id, "{\"timeout\": 300}");
		changeConfig(operator(), id, "{\"force_tls\": true}");
		assertThat(folder.resolve("redis-1").resolve("tls").resolve("node.key")).isRegularFile();
		assertThat(Files.readString(folder.resolve("redis-1").resolve("redis.conf"))).contains("timeout 300");
		assertPrivate(folder);

		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	@Test
	void filesAnOlderVersionLeftReadableAreMadePrivateWhenAnInstanceFindsTheNodesAgain() throws Exception {
		Provisioned provisioned = provision("loose-files", "redis-starter-256");
		String id = provisioned.id();
		Path folder = ProvisioningTest.nodesFolder().resolve(id);
		Path config = folder.resolve("redis-1").resolve("redis.conf");
		// as an older version wrote them, and as Redis, when it ran with a umask of 022, rewrote them
		Files.setPosixFilePermissions(ProvisioningTest.nodesFolder(), PosixFilePermissions.fromString("rwxr-xr-x"));
		loosen(folder);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-r--r--");

		// the supervisor of an instance that starts now
		new NodeSupervisor(this.repository, this.nodes, this.driver, this.locks, this.work, this.properties,
				this.authority)
			.superviseAll();

		assertPrivate(folder);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ProvisioningTest.nodesFolder())))
			.isEqualTo(FOLDER);
		assertThat(operator().delete("/api/v1/databases/" + id).status()).isEqualTo(200);
	}

	/** Every folder in {@code root} (itself included) is owner only, and every file readable by its owner alone. */
	private static void assertPrivate(Path root) throws IOException {
		Map<String, String> modes = new TreeMap<>();
		Map<String, String> expected = new TreeMap<>();
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.toList()) {
				String name = root.relativize(path).toString();
				try {
					modes.put(name, PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
					expected.put(name, Files.isDirectory(path) ? FOLDER : FILE);
				}
				catch (NoSuchFileException ex) {
					// a temporary file Redis renamed meanwhile
				}
			}
		}
		assertThat(modes).isEqualTo(expected);
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo(FOLDER);
	}

	private static void loosen(Path root) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.toList()) {
				Files.setPosixFilePermissions(path,
						PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
			}
		}
	}

	@AfterAll
	static void killLeftovers() {
		CofferTestServices.killProcessesUnder(ProvisioningTest.nodesFolder());
	}

}
