package io.coffer.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.coffer.node.ProvisioningProperties;
import io.coffer.testsupport.Settings;
import io.coffer.testsupport.TestEngines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The engine catalogue as read at start-up: what it offers, and the sentences that stop a wrong file. */
class EngineCatalogueTests {

	@TempDir
	Path folder;

	@Test
	void thePackagedFileOffersTheInstalledRedisAndValkeyAtTheVersionsTheyReport() {
		// the packaged engines.yml
		EngineCatalogue catalogue = new EngineCatalogue(new EnginesProperties(null), Settings.of(ProvisioningProperties.class));
		assertThat(catalogue.all()).hasSize(2);
		assertThat(catalogue.all().get(0)).satisfies((engine) -> {
			assertThat(engine.version().toString()).isEqualTo(TestEngines.INSTALLED);
			assertThat(engine.version().engine()).isEqualTo("redis");
			assertThat(engine.server()).isEqualTo("redis-server");
		});
		assertThat(catalogue.all().get(1)).satisfies((engine) -> {
			assertThat(engine.version().toString()).isEqualTo(TestEngines.VALKEY);
			assertThat(engine.version().number()).isEqualTo(TestEngines.VALKEY_VERSION);
			assertThat(engine.server()).isEqualTo("valkey-server");
		});
		assertThat(catalogue.defaultVersion()).hasValue(EngineVersion.parse(TestEngines.INSTALLED));
		assertThat(catalogue.server(null)).isEqualTo("redis-server");
		assertThat(catalogue.server(TestEngines.VALKEY)).isEqualTo("valkey-server");
	}

	@Test
	void anEngineWhoseProgramIsMissingIsLeftOutOnlyWhenMarkedIfInstalled() throws IOException {
		EngineCatalogue catalogue = catalogue("""
				engines:
				  - {engine: redis, server: redis-server}
				  - {engine: valkey, server: /no/such/valkey-server, if-installed: true}
				default: redis
				""");
		assertThat(catalogue.all()).singleElement()
			.satisfies((engine) -> assertThat(engine.version().toString()).isEqualTo(TestEngines.INSTALLED));
		assertRefused("engines:\n  - {engine: valkey, server: /no/such/valkey-server}\n",
				"entry 1 names the server '/no/such/valkey-server', which is not an executable file");
	}

	@Test
	void theDefaultNamesAnEngineAndVersionAndEachEntryMustRunTheEngineItNames() throws IOException {
		EngineCatalogue valkey = catalogue("""
				engines:
				  - {engine: redis, server: redis-server}
				  - {engine: valkey, version: %s, server: valkey-server}
				default: %s
				""".formatted(TestEngines.VALKEY_VERSION, TestEngines.VALKEY));
		assertThat(valkey.defaultVersion()).hasValue(EngineVersion.of("valkey", TestEngines.VALKEY_VERSION));
		assertThat(valkey.choose("valkey", null)).hasValue(EngineVersion.of("valkey", TestEngines.VALKEY_VERSION));
		assertThat(valkey.choose(null, TestEngines.VALKEY_VERSION))
			.hasValue(EngineVersion.of("valkey", TestEngines.VALKEY_VERSION));
		assertThat(valkey.choose("redis", null)).hasValue(EngineVersion.parse(TestEngines.INSTALLED));
		assertThatIllegalArgumentException().isThrownBy(() -> valkey.choose("valkey", "9.0.0"))
			.withMessageContaining("Valkey 9.0.0 is not offered");
		assertThatIllegalArgumentException().isThrownBy(() -> valkey.choose("memcached", null))
			.withMessageContaining("'memcached' is not an engine");
		assertRefused("engines:\n  - {engine: valkey, server: redis-server}\n",
				"entry 1 is valkey, and 'redis-server' is Redis " + TestEngines.INSTALLED);
		assertRefused("engines:\n  - {engine: redis, server: redis-server}\ndefault: valkey\n",
				"'default' is valkey, and no valkey version is offered");
	}

	@Test
	void newDatabasesGetTheLatestUnlessADefaultIsNamed() throws IOException {
		EngineCatalogue latest = catalogue("""
				engines:
				  - {version: %1$s, redis-server: redis-server}
				  - {version: 99.0.0, redis-server: redis-server}
				""".formatted(TestEngines.INSTALLED));
		assertThat(latest.defaultVersion()).hasValue(EngineVersion.parse("99.0.0"));
		assertThat(latest.find(EngineVersion.parse("99.0.0"))).hasValueSatisfying(
				(engine) -> assertThat(engine.reportedVersion().toString()).isEqualTo(TestEngines.INSTALLED));
		EngineCatalogue named = catalogue("""
				engines:
				  - {version: %1$s, redis-server: redis-server}
				  - {version: 99.0.0, redis-server: redis-server}
				default: %1$s
				""".formatted(TestEngines.INSTALLED));
		assertThat(named.defaultVersion()).hasValue(EngineVersion.parse(TestEngines.INSTALLED));
		assertThatIllegalStateException().isThrownBy(() -> named.server("98.0.0"))
			.withMessageContaining("engine 98.0.0 is no longer in the engine catalogue");
	}

	@Test
	void aWrongFileStopsTheServiceWithItsNameAndTheEntry() throws IOException {
		assertRefused("engines:\n  - {version: 7.2, redis-server: redis-server}\n",
				"entry 1: '7.2' is not a version: write it major.minor.patch");
		assertRefused("engines:\n  - {version: 7.2.4, redis-server: /no/such/redis-server}\n",
				"entry 7.2.4 names the server '/no/such/redis-server', which is not an executable file");
		assertRefused("engines:\n  - {version: 7.2.4, redis-server: no-such-redis-server}\n",
				"which is not an executable file on the PATH");
		assertRefused("engines:\n  - {version: 7.2.4}\n", "entry 7.2.4 names no 'server'");
		assertRefused("engines:\n  - {version: 7.2.4, redis-server: /bin/true}\n",
				"entry 7.2.4: '/bin/true --version' does not report a Redis or Valkey version");
		assertRefused("engines:\n  - {version: 7.2.4, redis-server: redis-server}\n  - {version: 7.2.4, redis-server: redis-server}\n",
				"version 7.2.4 is listed twice");
		assertRefused("engines:\n  - {version: 7.2.4, redis-server: redis-server}\ndefault: 7.4.0\n",
				"'default' is 7.4.0, which is not one of the versions listed");
		assertRefused("engines: redis-server\n", "'engines:' must be a list");
		EnginesProperties missing = new EnginesProperties(this.folder.resolve("absent.yml"));
		assertThatIllegalStateException()
			.isThrownBy(() -> new EngineCatalogue(missing, Settings.of(ProvisioningProperties.class)))
			.withMessageContaining("absent.yml").withMessageContaining("does not exist");
	}

	private void assertRefused(String content, String problem) throws IOException {
		assertThatIllegalStateException().isThrownBy(() -> catalogue(content))
			.withMessageStartingWith("the engines file ")
			.withMessageContaining(this.folder.resolve("engines.yml").toString())
			.withMessageContaining(problem);
	}

	private EngineCatalogue catalogue(String content) throws IOException {
		EnginesProperties properties = new EnginesProperties(Files.writeString(this.folder.resolve("engines.yml"), content));
		return new EngineCatalogue(properties, Settings.of(ProvisioningProperties.class));
	}

}
