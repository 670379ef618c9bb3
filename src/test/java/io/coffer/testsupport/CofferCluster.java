package io.coffer.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Instances of Coffer as separate JVMs ({@link CofferJvm}) forming one cluster: a catalogue of their own (a
 * fresh PostgreSQL database), a bucket of their own on the suite's S3 server, one keyring, each its own data
 * folder; their logs under {@code target/cluster-logs/<cluster>}. {@link #close} stops them all.
 */
public final class CofferCluster implements AutoCloseable {

	private final String name;

	private final TestDatabase catalogue;

	private final String bucket;

	private final Map<String, String> settings = new HashMap<>();

	private final List<CofferJvm> instances = new ArrayList<>();

	private final Path logFolder;

	private CofferCluster(String name) {
		this.name = name;
		this.catalogue = CofferTestServices.get().database().sibling();
		this.bucket = "cluster-" + UUID.randomUUID().toString().substring(0, 8);
		this.logFolder = Path.of("target", "cluster-logs", name).toAbsolutePath();
		deleteRecursively(this.logFolder);
		CofferTestServices.get().register((property, value) -> this.settings.put(property, String.valueOf(value.get())));
		this.settings.put("coffer.database.url", this.catalogue.jdbcUrl());
		this.settings.put("coffer.database.username", this.catalogue.username());
		this.settings.put("coffer.s3.bucket", this.bucket);
		// check-ins every second: a killed instance is seen gone within the few seconds of a test
		this.settings.put("spring.quartz.properties.org.quartz.jobStore.clusterCheckinInterval", "1000");
		// a trigger moved in the catalogue is seen within a second, not Quartz's default 30 s
		this.settings.put("spring.quartz.properties.org.quartz.scheduler.idleWaitTime", "1000");
	}

	/** A cluster named {@code name} (its logs' folder), with the suite's settings. */
	public static CofferCluster named(String name) {
		return new CofferCluster(name);
	}

	/** A setting for every instance started after this call. */
	public CofferCluster with(String property, String value) {
		this.settings.put(property, value);
		return this;
	}

	/** A folder of service-wide schedules with the one file given, instead of the project's. */
	public CofferCluster withSchedule(String fileName, String content) {
		try {
			Path folder = Files.createDirectories(this.logFolder.resolve("schedules"));
			Files.writeString(folder.resolve(fileName), content);
			return with("coffer.schedules-dir", folder.toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Starts {@code count} more instances at once, named {@code <cluster>-<n>}, and waits until all are healthy. */
	public List<CofferJvm> start(int count) throws IOException, InterruptedException {
		List<CofferJvm> started = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String instanceName = this.name + "-" + (this.instances.size() + 1);
			Map<String, String> own = new HashMap<>(this.settings);
			own.put("coffer.instance-id", instanceName);
			own.put("coffer.data-dir", this.logFolder.resolve(instanceName + "-data").toString());
			CofferJvm jvm = CofferJvm.start(instanceName, this.logFolder, own);
			this.instances.add(jvm);
			started.add(jvm);
		}
		for (CofferJvm jvm : started) {
			jvm.awaitHealthy();
		}
		return started;
	}

	public List<CofferJvm> instances() {
		return List.copyOf(this.instances);
	}

	/** The catalogue's database, for a test's queries. */
	public JdbcClient catalogue() {
		return JdbcClient.create(new DriverManagerDataSource(this.catalogue.jdbcUrl(), this.catalogue.username(), ""));
	}

	public String bucket() {
		return this.bucket;
	}

	private static void deleteRecursively(Path folder) {
		if (!Files.exists(folder)) {
			return;
		}
		try (var paths = Files.walk(folder)) {
			for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot clear " + folder + " of an earlier run", ex);
		}
	}

	@Override
	public void close() {
		this.instances.forEach(CofferJvm::close);
	}

}
