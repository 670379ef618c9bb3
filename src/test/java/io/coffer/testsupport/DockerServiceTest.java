package io.coffer.testsupport;

import org.junit.jupiter.api.BeforeAll;

import org.springframework.test.annotation.DirtiesContext;

/**
 * Base of the tests that run the whole service with the docker driver (see
 * {@link TestDockerEngine#registerDriver}): skipped, saying why, only when no engine answers. Each has its
 * own context, closed once done, and its engine client with it.
 */
@DirtiesContext
public abstract class DockerServiceTest extends ServiceTest {

	@BeforeAll
	static void engineAnswers() {
		TestDockerEngine.assumeAnswers();
	}

}
