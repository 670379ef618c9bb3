package io.coffer.testsupport;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the whole service on a random port against the shared real services.
 * Every subclass gets the same application context (Spring caches it), so the suite starts it once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

	@LocalServerPort
	protected int port;

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		CofferTestServices.get().register(registry);
	}

	protected ApiClient operator() {
		return new ApiClient(this.port, CofferTestServices.ADMIN_TOKEN);
	}

	protected ApiClient withToken(String token) {
		return new ApiClient(this.port, token);
	}

}
