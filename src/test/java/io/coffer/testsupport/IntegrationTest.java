package io.coffer.testsupport;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the whole service against the shared real services. Every subclass gets
 * the same application context (Spring caches it), so the suite starts it once.
 */
public abstract class IntegrationTest extends ServiceTest {

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
	}

}
