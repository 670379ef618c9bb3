package io.coffer.testsupport;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Base of the tests that run the whole service on a random port. Subclasses say which services it
 * talks to with a {@code @DynamicPropertySource}; most use {@link IntegrationTest}'s shared ones.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServiceTest {

	@LocalServerPort
	protected int port;

	protected ApiClient operator() {
		return new ApiClient(this.port, CofferTestServices.ADMIN_TOKEN);
	}

	protected ApiClient withToken(String token) {
		return new ApiClient(this.port, token);
	}

}
