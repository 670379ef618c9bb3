package io.coffer.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

import io.coffer.node.DockerNodeDriver;
import io.coffer.node.docker.DockerEngine;
import org.junit.jupiter.api.Assumptions;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The container engine the docker driver's tests use: {@code COFFER_TEST_DOCKER_HOST}, which
 * {@code scripts/test} sets to the engine it finds or starts, else the usual socket.
 */
public final class TestDockerEngine {

	public static final String HOST = Optional.ofNullable(System.getenv("COFFER_TEST_DOCKER_HOST"))
		.orElse("unix:///var/run/docker.sock");

	/**
	 * A second engine on this machine, for the tests of several engines: {@code COFFER_TEST_DOCKER_HOST_2},
	 * which {@code scripts/test} starts (its own socket and data root).
	 */
	public static final String SECOND_HOST = System.getenv("COFFER_TEST_DOCKER_HOST_2");

	private TestDockerEngine() {
	}

	/**
	 * The shared services, and the docker driver on {@link #HOST} for new databases, its containers labelled
	 * with {@code instance} (so that a test finds its own) and a small memory headroom.
	 */
	public static void registerDriver(DynamicPropertyRegistry registry, String instance) {
		CofferTestServices.get().register(registry);
		registry.add("coffer.provisioning.driver", () -> DockerNodeDriver.NAME);
		registry.add("coffer.provisioning.docker.host", () -> HOST);
		registry.add("coffer.provisioning.docker.instance", () -> instance);
		registry.add("coffer.provisioning.docker.memory-headroom-mb", () -> "32");
	}

	/** Skips the calling tests, saying why, unless a second engine is set and both engines answer. */
	public static void assumeTwoAnswer() {
		assumeAnswers();
		if (SECOND_HOST == null) {
			System.err.println("SKIPPED: the tests of several engines need COFFER_TEST_DOCKER_HOST_2 (scripts/test starts one)");
		}
		Assumptions.assumeTrue(SECOND_HOST != null, "no second container engine (COFFER_TEST_DOCKER_HOST_2)");
		try (DockerEngine engine = new DockerEngine(SECOND_HOST)) {
			Optional<String> why = engine.unreachable();
			why.ifPresent((reason) -> System.err.println("SKIPPED: the second container engine does not answer: " + reason));
			Assumptions.assumeTrue(why.isEmpty(), () -> "no second container engine: " + why.orElse(""));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Skips the calling tests, saying why on the console and in the report, when no engine answers. */
	public static void assumeAnswers() {
		try (DockerEngine engine = new DockerEngine(HOST)) {
			Optional<String> why = engine.unreachable();
			why.ifPresent((reason) -> System.err.println("SKIPPED: the docker driver's tests need a container engine; "
					+ reason + " (scripts/test starts one and sets COFFER_TEST_DOCKER_HOST)"));
			Assumptions.assumeTrue(why.isEmpty(), () -> "no container engine: " + why.orElse(""));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
